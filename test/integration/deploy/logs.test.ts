/**
 * Secrets never reach the logs. A real `tidings serve` runs at trace level (every line it can write) while
 * clients connect with a token in the query string, with a token and a session in the Cookie header, with a
 * bad token, and a backend publishes with the API key (and with a wrong one). The captured output must
 * contain none of the secrets, and no raw `?token=` URL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess, startBuilt, publish, tokenFor } from '../../support/tidings.js';
import { openSocket } from '../../support/frames.js';
import { secrets, tempDir } from '../../support/process.js';

describe('logs', () => {
  const keys = secrets();
  const dir = tempDir('logs');
  let tidings: ServerProcess;
  let output = '';
  const leaked: string[] = [keys.jwtSecret, keys.apiKey];

  before(async () => {
    tidings = await startBuilt({
      args: ['--log-level', 'trace', '--proxy-headers'],
      env: { TIDINGS_JWT_SECRET: keys.jwtSecret, TIDINGS_API_KEY: keys.apiKey, TIDINGS_DATABASE_URL: `sqlite:${dir.path}/inbox.db` },
    });
    const ws = `ws://127.0.0.1:${tidings.port}/inform/`;
    const queryToken = await tokenFor('log-query', keys.jwtSecret);
    const cookieToken = await tokenFor('log-cookie', keys.jwtSecret);
    const session = `sess-${keys.apiKey.slice(0, 8)}-cookie`;
    const badToken = `${queryToken.slice(0, -6)}AAAAAA`;
    leaked.push(queryToken, cookieToken, session, badToken, 'Bearer wrong-key-5f1c');

    const viaQuery = await openSocket(`${ws}?token=${queryToken}&since=0`);
    await viaQuery.nextOfType('hello');
    const viaCookie = await openSocket(ws, { headers: { cookie: `tidings_token=${cookieToken}; sessionid=${session}` } });
    await viaCookie.nextOfType('hello');
    const refused = await openSocket(`${ws}?token=${badToken}`);
    assert.equal((await refused.closed()).code, 4501);
    assert.equal((await publish(tidings.url, keys.apiKey, 'log-query', { article: 'a' })).status, 201);
    await viaQuery.nextOfType('notification');
    assert.equal((await publish(tidings.url, 'wrong-key-5f1c', 'log-query')).status, 401);
    assert.equal((await fetch(`${tidings.url}/v1/stats`, { headers: { authorization: `Bearer ${keys.apiKey}`, cookie: `sessionid=${session}` } })).status, 200);
    viaQuery.close();
    viaCookie.close();
    await tidings.log.waitForCount((e) => e.msg === 'connection closed', 3, 5000, 'three connection closed lines');
    assert.equal((await tidings.stop()).code, 0);
    output = tidings.log.text;
  });
  after(async () => {
    if (tidings && tidings.child.exitCode === null && tidings.child.signalCode === null) await tidings.stop('SIGKILL');
    dir.remove();
  });

  it('logged what happened (so the check below looked at real lines)', () => {
    const messages = tidings.log.entries.map((e) => e.msg);
    for (const msg of ['listening', 'connection opened', 'authentication refused', 'connection closed', 'stopped']) assert.ok(messages.includes(msg), `no "${msg}" line`);
    const opened = tidings.log.entries.find((e) => e.msg === 'connection opened' && e.user === 'log-cookie');
    assert.equal(opened?.ip, '127.0.0.1');
  });

  it('contains no token, API key, JWT secret or cookie, and no raw ?token= URL', () => {
    for (const secret of leaked) assert.ok(!output.includes(secret.replace(/^Bearer /, '')), `a secret leaked into the log: ${secret.slice(0, 12)}…`);
    assert.doesNotMatch(output, /[?&]token=(?!\*\*\*)/);
    assert.doesNotMatch(output, /sessionid=/);
  });
});
