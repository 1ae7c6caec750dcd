/**
 * The `tidings` command against a running child server: `send` stores and delivers, `token` prints a token
 * the server accepts, and bad `--data` exits 2 with a clear message.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signToken } from '../../../src/auth/index.js';
import { TEST_JWT_SECRET, TestSocket } from '../../../src/testing/index.js';
import { apiCall, runCli, startTestServe, type ServerProcess } from '../../support/tidings.js';

let server: ServerProcess;
before(async () => {
  server = await startTestServe(['--database-url', 'sqlite::memory:']);
});
after(() => server?.stop());

async function tokenFor(user: string, ttl = '1h'): Promise<string> {
  const r = await runCli(['token', user, '--ttl', ttl]);
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  return token;
}

describe('tidings CLI', { concurrency: true }, () => {
  it('`tidings token alice --ttl 1h` prints a token the server accepts, valid for an hour', async () => {
    const token = await tokenFor('alice');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string; exp: number };
    assert.equal(claims.sub, 'alice');
    assert.ok(Math.abs(claims.exp - (Date.now() / 1000 + 3600)) < 120, 'expires in about an hour');
    const socket = await TestSocket.open(server.wsUrl(`/inform/?token=${token}`));
    assert.equal((await socket.nextFrame()).user, 'alice');
    socket.close();
  });

  it('`tidings send` stores the notification and delivers it to the connected user', async () => {
    const socket = await TestSocket.open(server.wsUrl(`/inform/?token=${await signToken(TEST_JWT_SECRET, 'bob')}`));
    assert.equal((await socket.nextFrame()).type, 'hello');
    const r = await runCli(['send', '--to', 'bob', '--kind', 'reply', '--data', '{"article":"Channels in TypeScript"}', '--server', server.url]);
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as { id: string; seq: number };
    assert.equal(printed.seq, 1);
    const frame = await socket.nextFrame();
    assert.equal(frame.id, printed.id);
    assert.deepEqual(frame.data, { article: 'Channels in TypeScript' });
    const stored = await apiCall(server.url, '/v1/users/bob/notifications');
    assert.deepEqual((stored.body.items as Array<{ id: string }>).map((i) => i.id), [printed.id]);
    socket.close();
  });

  it('`tidings send --to a,b` and --dedupe-key', async () => {
    const args = ['send', '--to', 'carol,dave', '--kind', 'mention', '--dedupe-key', 'm-1', '--server', server.url];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    const again = await runCli(args);
    const items = (JSON.parse(again.stdout) as { items: Array<{ userId: string; created: boolean }> }).items;
    assert.deepEqual(items.map((i) => [i.userId, i.created]), [['carol', false], ['dave', false]]);
  });

  it('`tidings serve --help` exits 0 listing every flag with its variable; `send --help` names TIDINGS_SERVER_URL', async () => {
    const serve = await runCli(['serve', '--help']);
    assert.equal(serve.code, 0, serve.stderr);
    assert.match(serve.stdout, /--max-buffered-bytes {2}TIDINGS_MAX_BUFFERED_BYTES \(default 1048576\)/);
    assert.match(serve.stdout, /--jwt-clock-tolerance {2}TIDINGS_JWT_CLOCK_TOLERANCE/);
    const send = await runCli(['send', '--help']);
    assert.equal(send.code, 0, send.stderr);
    assert.match(send.stdout, /TIDINGS_SERVER_URL/);
  });

  it('bad --data exits 2 with a clear message, and nothing is sent', async () => {
    for (const data of ['{not json', '[1,2]']) {
      const r = await runCli(['send', '--to', 'erin', '--kind', 'reply', '--data', data, '--server', server.url]);
      assert.equal(r.code, 2, data);
      assert.match(r.stderr, /--data must be a JSON object/);
    }
    const stored = await apiCall(server.url, '/v1/users/erin/unread-count');
    assert.deepEqual(stored.body, { unread: 0, seq: 0 });
  });

  it('a wrong API key or an unreachable server: non-zero exit naming the problem', async () => {
    const wrong = await runCli(['send', '--to', 'erin', '--kind', 'reply', '--server', server.url], { env: { TIDINGS_API_KEY: 'not-the-key' } });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /401/);
    const away = await runCli(['send', '--to', 'erin', '--kind', 'reply', '--server', 'http://127.0.0.1:1']);
    assert.equal(away.code, 2);
    assert.match(away.stderr, /cannot reach http:\/\/127\.0\.0\.1:1/);
  });
});
