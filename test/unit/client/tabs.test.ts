import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode, type BroadcastChannelConstructor } from '../../../src/client/index.js';
import { createChannelBus, createFetch, flush, hello, notification } from './fakes.js';
import { accept, startClient, type Harness } from './harness.js';

const DELAY = 50;

/** `count` tabs of alice sharing one BroadcastChannel bus, all open. */
async function tabs(t: TestContext, count: number, extra: Parameters<typeof startClient>[1] = {}): Promise<Harness[]> {
  const bus: BroadcastChannelConstructor = createChannelBus();
  const all: Harness[] = [];
  for (let i = 0; i < count; i++) {
    const h = await startClient(t, { BroadcastChannel: bus, announceDelayMs: DELAY, ...extra });
    await accept(h, hello({ user: 'alice', unread: 0, seq: 0 }));
    all.push(h);
  }
  return all;
}

const announced = (all: Harness[]): number[] => all.map((h) => h.events.announcements.length);

test('a notification received by every tab is announced in exactly one, while every badge is exact', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const all = await tabs(t, 3);
  for (const h of all) h.last().receive(notification(1, { unread: 1 }));
  await flush();
  t.mock.timers.tick(DELAY);
  await flush();
  assert.equal(announced(all).reduce((a, b) => a + b, 0), 1, `announcements per tab: ${announced(all)}`);
  for (const h of all) {
    assert.equal(h.client.unreadCount, 1);
    assert.equal(h.events.notifications.length, 1);
  }
});

test('a tab that receives the item after another tab announced it stays quiet', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const [a, b] = (await tabs(t, 2)) as [Harness, Harness];
  a.last().receive(notification(1));
  await flush();
  t.mock.timers.tick(DELAY);
  await flush();
  assert.deepEqual(announced([a, b]), [1, 0]);
  b.last().receive(notification(1)); // e.g. b was reconnecting and got it on replay
  await flush();
  t.mock.timers.tick(DELAY);
  await flush();
  assert.deepEqual(announced([a, b]), [1, 0]);
});

test('claims race: each tab claims at the same time, the channel settles on one', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const all = await tabs(t, 4);
  for (let seq = 1; seq <= 20; seq++) for (const h of all) h.last().receive(notification(seq));
  await flush();
  t.mock.timers.tick(DELAY);
  await flush();
  assert.equal(announced(all).reduce((a, b) => a + b, 0), 20);
});

test('broadcasts are announced once per user too', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const all = await tabs(t, 2);
  const frame = { type: 'broadcast', id: 'b1', kind: 'announcement', data: { text: 'hello all' }, createdAt: '2025-01-01T00:00:00Z' };
  for (const h of all) h.last().receive(frame);
  await flush();
  t.mock.timers.tick(DELAY);
  await flush();
  assert.equal(announced(all).reduce((a, b) => a + b, 0), 1);
  assert.deepEqual(all.map((h) => h.events.broadcasts.length), [1, 1]);
});

test('reads reach the other tabs; an offline tab takes the count another tab got over HTTP', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const http = createFetch(() => ({ body: { unread: 0 } }));
  const [a, b, c] = (await tabs(t, 3, { fetch: http.fetch })) as [Harness, Harness, Harness];
  for (const h of [a, b, c]) h.last().receive(notification(1, { unread: 1 }));
  a.last().serverClose(CloseCode.SHUTDOWN);
  c.last().serverClose(CloseCode.SHUTDOWN);
  await a.client.markRead(['n1']); // a is offline: over HTTP
  await flush();
  assert.equal(http.calls.length, 1);
  assert.equal(a.client.unreadCount, 0);
  assert.equal(c.client.unreadCount, 0, 'offline tab c took the relayed count');
  assert.equal(b.client.unreadCount, 1, 'open tab b waits for its own server frame');
  for (const h of [a, b, c]) assert.deepEqual(h.events.reads, [{ ids: ['n1'] }]);
});
