import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode, createTidingsClient, type TidingsClientOptions } from '../../../src/client/index.js';
import { createFakes, flush, hello, notification } from './fakes.js';
import { accept, startClient } from './harness.js';

test('hello opens the client with the user and the exact unread count', async (t) => {
  const h = await startClient(t);
  assert.equal(h.client.state, 'connecting');
  await accept(h, hello({ user: 'alice', unread: 3, seq: 17 }));
  assert.equal(h.client.state, 'open');
  assert.equal(h.client.user, 'alice');
  assert.equal(h.client.unreadCount, 3);
  assert.equal(h.client.seq, 17);
  assert.deepEqual(h.events.states, ['connecting', 'open']);
  assert.deepEqual(h.events.unread, [3]);
});

test('never emits a notification twice: duplicates by seq or by id are dropped, across reconnects', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const h = await startClient(t);
  await accept(h, hello({ seq: 5 }));
  h.last().receive(notification(6));
  h.last().receive(notification(7));
  h.last().receive(notification(7)); // same seq again
  h.last().serverClose(CloseCode.SLOW_CLIENT);
  t.mock.timers.tick(1000);
  await flush();
  assert.equal(h.last().url.searchParams.get('since'), '7');
  await accept(h, hello({ seq: 9 }));
  h.last().receive(notification(6)); // a server that replays too much
  h.last().receive(notification(7));
  h.last().receive(notification(8));
  h.last().receive(notification(9));
  h.last().receive(notification(10, { id: 'n8' })); // an id already seen
  h.last().receive(notification(11));
  assert.deepEqual(h.events.notifications.map((n) => n.seq), [6, 7, 8, 9, 11]);
  assert.deepEqual(h.events.notifications.map((n) => n.replayed), [false, false, true, true, false]);
});

test('broadcasts are deduplicated by id', async (t) => {
  const h = await startClient(t);
  await accept(h, hello());
  const frame = { type: 'broadcast', id: 'b1', kind: 'announcement', data: { text: 'hi' }, createdAt: '2025-01-01T00:00:00Z' };
  h.last().receive(frame);
  h.last().receive(frame);
  h.last().receive({ ...frame, id: 'b2' });
  assert.deepEqual(h.events.broadcasts.map((b) => b.id), ['b1', 'b2']);
  assert.deepEqual(h.events.announcements.map((a) => a.type), ['broadcast', 'broadcast']);
});

test('a malformed frame is ignored and reported through error; the connection stays open', async (t) => {
  const h = await startClient(t);
  await accept(h, hello());
  const socket = h.last();
  const bad = ['not json', '[1,2]', 'null', '{"no":"type"}', '{"type":"notification","id":"x"}', '{"type":"unread","count":"3"}', '{"type":"hello","user":5,"unread":0,"seq":0}'];
  for (const frame of bad) socket.receive(frame);
  assert.equal(h.events.errors.length, bad.length);
  assert.ok(h.events.errors.every((e) => e.code === 'INVALID_SERVER_FRAME'));
  assert.match(h.events.errors[4]?.message ?? '', /notification frame: seq must be a number/);
  socket.receive({ type: 'from-the-future' }); // unknown types are skipped quietly
  assert.equal(h.events.errors.length, bad.length);
  assert.equal(h.client.state, 'open');
  assert.equal(socket.closedWith, undefined);
  socket.receive(notification(1));
  assert.deepEqual(h.events.notifications.map((n) => n.id), ['n1']);
});

test('unread: hello, live notifications and unread frames set it; replayed frames (stale counts) do not', async (t) => {
  const h = await startClient(t, { since: 2 });
  await accept(h, hello({ seq: 4, unread: 5 }));
  h.last().receive(notification(3, { unread: 1 })); // replayed: its count is from its own time
  h.last().receive(notification(4, { unread: 2 }));
  assert.equal(h.client.unreadCount, 5);
  h.last().receive(notification(5, { unread: 6 })); // live
  assert.equal(h.client.unreadCount, 6);
  h.last().receive({ type: 'unread', count: 0 });
  assert.equal(h.client.unreadCount, 0);
  assert.deepEqual(h.events.unread, [5, 6, 0]);
});

test('an error frame is reported with its code; resumed with recovered:false asks for a resync', async (t) => {
  const h = await startClient(t, { since: 50 });
  await accept(h, hello({ seq: 60 }));
  h.last().receive({ type: 'error', code: 'BAD_CURSOR', message: 'cannot resume from that sequence number' });
  h.last().receive({ type: 'resumed', since: 50, seq: 60, count: 0, recovered: false });
  assert.equal(h.events.errors[0]?.code, 'BAD_CURSOR');
  assert.deepEqual(h.events.resyncs, [{ reason: 'not-recovered' }]);
  assert.equal(h.client.seq, 60);
  h.last().receive(notification(61));
  assert.equal(h.events.notifications.length, 1);
});

test('a server whose seq went back (reset history) restarts the cursor and asks for a resync', async (t) => {
  const h = await startClient(t, { since: 100 });
  await accept(h, hello({ seq: 3 }));
  assert.deepEqual(h.events.resyncs, [{ reason: 'history-reset' }]);
  h.last().receive(notification(4));
  assert.deepEqual(h.events.notifications.map((n) => n.seq), [4]);
});

test('frames before hello are ignored', async (t) => {
  const h = await startClient(t);
  h.last().open();
  h.last().receive(notification(1));
  h.last().receive({ type: 'unread', count: 9 });
  assert.equal(h.events.notifications.length, 0);
  assert.equal(h.client.unreadCount, 0);
});

test('a throwing listener does not stop other listeners or the client; its error is rethrown async', async (t) => {
  const h = await startClient(t);
  await accept(h, hello());
  h.client.on('notification', () => {
    throw new Error('listener bug');
  });
  const later: number[] = [];
  h.client.on('notification', (n) => later.push(n.seq));
  const rethrown: unknown[] = [];
  t.mock.method(globalThis, 'queueMicrotask', (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      rethrown.push(err);
    }
  });
  h.last().receive(notification(1));
  h.last().receive(notification(2));
  assert.deepEqual(later, [1, 2]);
  assert.deepEqual(rethrown.map((e) => (e as Error).message), ['listener bug', 'listener bug']);
});

test('options are checked up front', () => {
  assert.throws(() => createWith({ url: '/inform/' }), { code: 'INVALID_OPTIONS' }); // relative URL, no page
  assert.throws(() => createWith({ backoff: { baseMs: 0 } }), { code: 'INVALID_OPTIONS' });
  assert.throws(() => createWith({ backoff: { baseMs: 100, maxMs: 50 } }), { code: 'INVALID_OPTIONS' });
  assert.throws(() => createWith({ since: -1 }), { code: 'INVALID_OPTIONS' });
  assert.throws(() => createWith({ WebSocket: undefined }), { code: 'INVALID_OPTIONS', message: /WebSocket/ });
});

function createWith(options: TidingsClientOptions): void {
  createTidingsClient({ url: 'ws://x.test/inform/', WebSocket: createFakes().WebSocket, BroadcastChannel: null, ...options }).close();
}
