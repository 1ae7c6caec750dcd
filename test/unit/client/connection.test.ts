import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode } from '../../../src/client/index.js';
import { flush, hello, notification } from './fakes.js';
import { accept, startClient } from './harness.js';

const TIMERS = { apis: ['setTimeout'] as 'setTimeout'[] };

type Started = Awaited<ReturnType<typeof startClient>>;

/** No new socket 1 ms before `wait` has passed, one more exactly at `wait`. */
async function expectReconnectAt(t: { mock: { timers: { tick(ms: number): void } } }, h: Started, wait: number): Promise<void> {
  const before = h.sockets.length;
  t.mock.timers.tick(wait - 1);
  await flush();
  assert.equal(h.sockets.length, before, `no reconnect before ${wait} ms`);
  t.mock.timers.tick(1);
  await flush();
  assert.equal(h.sockets.length, before + 1, `reconnect after ${wait} ms`);
}

test('reconnects with capped exponential backoff and full jitter, reset after a stable connection', async (t) => {
  t.mock.timers.enable(TIMERS);
  const h = await startClient(t, { backoff: { baseMs: 1000, maxMs: 4000 }, stableAfterMs: 5000, random: () => 0.999 });
  await accept(h, hello());
  h.last().serverClose(1006);
  assert.equal(h.client.state, 'offline');

  // Expected waits: 0.999 * 1000, * 2000, * 4000, then capped at 4000.
  for (const [i, wait] of [999, 1998, 3996, 3996].entries()) {
    await expectReconnectAt(t, h, wait);
    if (i < 3) h.last().serverClose(1006);
  }

  await accept(h, hello());
  t.mock.timers.tick(5000); // stable: the backoff starts over
  h.last().serverClose(1006);
  t.mock.timers.tick(998);
  await flush();
  assert.equal(h.sockets.length, 5);
  t.mock.timers.tick(1);
  await flush();
  assert.equal(h.sockets.length, 6);
});

test('a connection lost before it was stable keeps climbing the backoff', async (t) => {
  t.mock.timers.enable(TIMERS);
  const h = await startClient(t, { backoff: { baseMs: 1000, maxMs: 60_000 }, stableAfterMs: 5000, random: () => 0.999 });
  await accept(h, hello());
  h.last().serverClose(1006);
  t.mock.timers.tick(999);
  await flush();
  await accept(h, hello());
  t.mock.timers.tick(4000); // not yet stable
  h.last().serverClose(1006);
  t.mock.timers.tick(1997);
  await flush();
  assert.equal(h.sockets.length, 2);
  t.mock.timers.tick(1);
  await flush();
  assert.equal(h.sockets.length, 3);
});

for (const code of [CloseCode.BAD_FRAME, CloseCode.FORBIDDEN, 4999, 1008]) {
  test(`close ${code} means do not reconnect: state 'closed', an error, no new socket`, async (t) => {
    t.mock.timers.enable(TIMERS);
    const h = await startClient(t);
    await accept(h, hello());
    h.last().serverClose(code, 'go away');
    t.mock.timers.tick(10 * 60_000);
    await flush();
    assert.equal(h.sockets.length, 1);
    assert.equal(h.client.state, 'closed');
    assert.equal(h.events.errors.at(-1)?.code, 'CLOSED');
    assert.deepEqual(h.events.errors.at(-1)?.details, { code, reason: 'go away' });
  });
}

test('4001 (a drain, or every process restarting): the first delay is drawn from 4x the base, then the backoff climbs on', async (t) => {
  t.mock.timers.enable(TIMERS);
  const h = await startClient(t, { backoff: { baseMs: 1000, maxMs: 30_000 }, random: () => 0.999 });
  await accept(h, hello());
  h.last().serverClose(CloseCode.SHUTDOWN);
  // Expected waits: 0.999 * 4000, then 0.999 * 8000 (not 999 and 1998).
  await expectReconnectAt(t, h, 3996);
  h.last().serverClose(1006);
  await expectReconnectAt(t, h, 7992);
  // maxMs caps that window too.
  const capped = await startClient(t, { backoff: { baseMs: 1000, maxMs: 2000 }, random: () => 0.999 });
  await accept(capped, hello());
  capped.last().serverClose(CloseCode.SHUTDOWN);
  await expectReconnectAt(t, capped, 1998);
});

test('4501: one more getToken(), then state unauthorized and no retry loop', async (t) => {
  t.mock.timers.enable(TIMERS);
  const h = await startClient(t);
  // The token travels as a subprotocol, never in the URL (which proxies and servers log).
  assert.deepEqual(h.last().protocols, ['tidings', 'tidings.bearer.tok1']);
  assert.equal(h.last().url.searchParams.get('token'), null);
  h.last().serverClose(CloseCode.UNAUTHORIZED);
  assert.equal(h.client.state, 'offline');
  t.mock.timers.tick(1000);
  await flush();
  assert.equal(h.sockets.length, 2);
  assert.equal(h.tokenCalls(), 2);
  assert.deepEqual(h.last().protocols, ['tidings', 'tidings.bearer.tok2']);

  h.last().serverClose(CloseCode.UNAUTHORIZED);
  t.mock.timers.tick(10 * 60_000);
  await flush();
  assert.equal(h.client.state, 'unauthorized');
  assert.equal(h.sockets.length, 2);
  assert.equal(h.tokenCalls(), 2);
  assert.equal(h.events.errors.at(-1)?.code, 'UNAUTHORIZED');

  h.client.reconnect(); // e.g. after the user signed in again
  await flush();
  assert.equal(h.sockets.length, 3);
  assert.equal(h.client.state, 'connecting');
});

test('4501 after a successful hello (an expired token) gets its one retry again', async (t) => {
  t.mock.timers.enable(TIMERS);
  const h = await startClient(t);
  h.last().serverClose(CloseCode.UNAUTHORIZED);
  t.mock.timers.tick(1000);
  await flush();
  await accept(h, hello());
  h.last().serverClose(CloseCode.UNAUTHORIZED);
  t.mock.timers.tick(1000);
  await flush();
  assert.equal(h.sockets.length, 3);
  assert.notEqual(h.client.state, 'unauthorized');
});

test('dead link: no frame for 2x the server ping interval -> close 4003 and reconnect', async (t) => {
  t.mock.timers.enable(TIMERS);
  const h = await startClient(t);
  await accept(h, hello({ ping: 10 }));
  const first = h.last();
  t.mock.timers.tick(19_999);
  first.receive({ type: 'ping' }); // any frame proves the link alive
  t.mock.timers.tick(19_999);
  assert.equal(first.closedWith, undefined);
  assert.equal(h.client.state, 'open');
  t.mock.timers.tick(1);
  assert.equal(first.closedWith, CloseCode.HEARTBEAT_TIMEOUT);
  assert.equal(h.client.state, 'offline');
  t.mock.timers.tick(1000);
  await flush();
  assert.equal(h.sockets.length, 2);
  first.serverClose(1006); // the dead socket's late close event changes nothing
  assert.equal(h.client.state, 'connecting');
});

test('a socket that never says hello is given up after connectTimeoutMs', async (t) => {
  t.mock.timers.enable(TIMERS);
  const h = await startClient(t, { connectTimeoutMs: 3000 });
  h.last().open();
  t.mock.timers.tick(2999);
  assert.equal(h.last().closedWith, undefined);
  t.mock.timers.tick(1);
  assert.equal(h.last().closedWith, CloseCode.HEARTBEAT_TIMEOUT);
  assert.equal(h.client.state, 'offline');
});

test('resumes with since=<last seq> after a reconnect, and uses the since option first', async (t) => {
  t.mock.timers.enable(TIMERS);
  const h = await startClient(t, { since: 3 });
  assert.equal(h.last().url.searchParams.get('since'), '3');
  await accept(h, hello({ seq: 5, unread: 2 }));
  h.last().receive(notification(4));
  h.last().receive(notification(5));
  h.last().receive({ type: 'resumed', since: 3, seq: 5, count: 2, recovered: true });
  h.last().receive(notification(6));
  h.last().receive(notification(7));
  assert.equal(h.client.seq, 7);
  h.last().serverClose(1006);
  t.mock.timers.tick(1000);
  await flush();
  assert.equal(h.sockets.length, 2);
  assert.equal(h.last().url.searchParams.get('since'), '7');
  assert.deepEqual(h.events.notifications.map((n) => n.seq), [4, 5, 6, 7]);
});

test('without the since option, the first connection has no since and the cursor starts at hello.seq', async (t) => {
  t.mock.timers.enable(TIMERS);
  const h = await startClient(t);
  assert.equal(h.last().url.searchParams.has('since'), false);
  await accept(h, hello({ seq: 41 }));
  h.last().serverClose(1006);
  t.mock.timers.tick(1000);
  await flush();
  assert.equal(h.last().url.searchParams.get('since'), '41');
});

test('a token about to expire is refreshed over the open socket', async (t) => {
  t.mock.timers.enable(TIMERS);
  const exp = Math.floor(Date.now() / 1000) + 120;
  const jwt = (n: number): string => `h.${Buffer.from(JSON.stringify({ sub: 'alice', exp: exp + n })).toString('base64url')}.s`;
  let calls = 0;
  const h = await startClient(t, { getToken: () => jwt(calls++), refreshBeforeMs: 30_000 });
  await accept(h, hello({ ping: 1000 }));
  t.mock.timers.tick(85_000);
  await flush();
  assert.equal(h.last().sent.length, 0);
  t.mock.timers.tick(6000);
  await flush();
  assert.deepEqual(h.last().sent, [{ type: 'refresh', token: jwt(1) }]);
  assert.equal(h.sockets.length, 1);
});

test('close() is final: no reconnect, state closed, socket closed normally', async (t) => {
  t.mock.timers.enable(TIMERS);
  const h = await startClient(t);
  await accept(h, hello());
  h.client.close();
  assert.equal(h.last().closedWith, CloseCode.NORMAL);
  assert.equal(h.client.state, 'closed');
  h.client.reconnect();
  t.mock.timers.tick(60_000);
  await flush();
  assert.equal(h.sockets.length, 1);
});

test('a failing getToken() is reported and retried with backoff', async (t) => {
  t.mock.timers.enable(TIMERS);
  let calls = 0;
  const h = await startClient(t, {
    getToken: () => {
      if (++calls === 1) throw new Error('token endpoint down');
      return 'ok';
    },
  });
  assert.equal(h.sockets.length, 0);
  assert.equal(h.client.state, 'offline');
  assert.equal(h.events.errors[0]?.code, 'TOKEN_FAILED');
  t.mock.timers.tick(500);
  await flush();
  assert.equal(h.sockets.length, 1);
});
