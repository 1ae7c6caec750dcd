/**
 * Forged `X-Forwarded-For` (issue 8, closing paragraph). A server that honours proxy headers from ONE
 * trusted proxy (127.0.0.1) and allows 3 sockets per client address:
 * - a client connecting directly from another address (127.0.0.2, an untrusted peer) and forging
 *   `X-Forwarded-For` / `X-Real-IP` with a new address on every connection is counted, limited and logged
 *   as 127.0.0.2: the 4th socket is refused with 429 whatever it claims;
 * - through the trusted proxy, a client that prepends forged hops to the header its proxy extends is
 *   counted as the address the proxy saw (the right-most untrusted hop), so forging does not buy it more
 *   sockets either, and another real client is not affected.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log/index.js';
import { startTestServer, type TestServer, type TestSocket } from '../../src/testing/index.js';
import { openSocket } from '../support/frames.js';
import { SUITE } from './helpers/suite.js';

const PER_IP = 3;
const UNTRUSTED_PEER = '127.0.0.2';

let srv: TestServer;
const logLines: string[] = [];
before(async () => {
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (c, _e, cb) => (logLines.push(String(c)), cb()) }) });
  srv = await startTestServer({ settings: { proxyHeaders: true, trustedProxies: ['127.0.0.1'], maxConnectionsPerIp: PER_IP, maxConnectionsPerUser: 100 }, logger });
}, SUITE);
after(() => srv?.close(), SUITE);

let n = 0;
/** A socket for a new user, from `localAddress`, with these headers; resolves with the socket or the refusal status. */
async function attempt(localAddress: string, headers: Record<string, string>): Promise<TestSocket | number> {
  const token = await srv.tidings.token(`xff-${n++}`);
  try {
    const socket = await openSocket(srv.wsUrl(`/inform/?token=${token}`), { localAddress, headers });
    assert.equal((await socket.nextFrame()).type, 'hello');
    return socket;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

const randomIp = () => `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
/** The `ip` of every `connection opened` log line so far. */
const loggedIps = () => logLines.map((l) => JSON.parse(l) as { msg: string; ip?: string }).filter((e) => e.msg === 'connection opened').map((e) => e.ip);

describe('forged X-Forwarded-For', SUITE, () => {
  it(`from an untrusted peer: ignored; counted, limited (${PER_IP}) and logged by its real address`, async (t) => {
    const results: Array<TestSocket | number> = [];
    for (let i = 0; i < PER_IP + 3; i++) {
      const forged = randomIp();
      results.push(await attempt(UNTRUSTED_PEER, { 'x-forwarded-for': `${forged}, ${randomIp()}`, 'x-real-ip': forged }));
    }
    const refused = results.filter((r) => typeof r === 'number');
    assert.equal(results.length - refused.length, PER_IP, 'only the per-address limit of sockets');
    assert.deepEqual(refused, [429, 429, 429]);
    const ips = loggedIps();
    assert.deepEqual(ips, Array(PER_IP).fill(UNTRUSTED_PEER), 'logged by the peer address, not the forged one');
    t.diagnostic(`figure: forged XFF from an untrusted peer: ${results.length} sockets tried with ${results.length} different forged addresses -> ${PER_IP} accepted, ${refused.length} refused with 429; logged address ${UNTRUSTED_PEER} for all`);
    for (const r of results) if (typeof r !== 'number') r.close();
  });

  it('through the trusted proxy: forged hops prepended by the client are ignored, the right-most untrusted hop counts', async (t) => {
    const before = loggedIps().length;
    const client = '198.51.100.7';
    const results: Array<TestSocket | number> = [];
    for (let i = 0; i < PER_IP + 2; i++) {
      // What the proxy sends: the client's own (forged) header, then the address the proxy saw.
      results.push(await attempt('127.0.0.1', { 'x-forwarded-for': `${randomIp()}, ${randomIp()}, ${client}` }));
    }
    const other = await attempt('127.0.0.1', { 'x-forwarded-for': '198.51.100.8' });
    assert.deepEqual(results.filter((r) => typeof r === 'number'), [429, 429]);
    assert.notEqual(typeof other, 'number', 'another client behind the proxy is not affected');
    assert.deepEqual(loggedIps().slice(before), [...Array(PER_IP).fill(client), '198.51.100.8']);
    t.diagnostic(`figure: through the trusted proxy with forged hops prepended: counted as ${client} (${PER_IP} accepted, 2 refused with 429); another client unaffected`);
    for (const r of [...results, other]) if (typeof r !== 'number') r.close();
  });
});
