/**
 * What several publishing processes do to one connection's stream, simulated on the memory layer: events
 * arriving out of order or not at all (the layer is at-most-once), and unread counts arriving late. The
 * client must still get each notification once and in seq order, and end on the true count.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddResult } from '../../../src/inbox/index.js';
import { notificationFrame, userGroup, type NotificationEvent, type UnreadEvent } from '../../../src/notify/index.js';
import { startTestServer, type Frame, type TestServer, type TestSocket } from '../../../src/testing/index.js';
import { framesUntil, shownCount } from '../../support/frames.js';

let srv: TestServer;
let alice: TestSocket;
before(async () => {
  srv = await startTestServer();
  alice = await srv.connect('/inform/', { user: 'alice' });
  assert.equal((await alice.nextFrame()).seq, 0);
});
after(async () => {
  alice.close();
  await srv.close();
});

/** Store without pushing: what another process has committed but not (yet) pushed. */
function store(user = 'alice'): Promise<AddResult> {
  return srv.tidings.inbox.add({ userId: user, kind: 'reply', data: {} });
}

function pushNotification(r: AddResult): Promise<void> {
  const n = r.notification;
  const event: NotificationEvent = { type: 'tidings.notification', user: n.userId, seq: n.seq, unread: r.unread, text: JSON.stringify(notificationFrame(n, r.unread)) };
  return srv.tidings.layer.groupSend(userGroup('alice'), event);
}

function pushUnread(count: number, seq?: number): Promise<void> {
  const event: UnreadEvent = { type: 'tidings.unread', user: 'alice', count, ...(seq === undefined ? {} : { seq }), text: JSON.stringify({ type: 'unread', count }) };
  return srv.tidings.layer.groupSend(userGroup('alice'), event);
}

let markers = 0;
/** Everything alice's socket receives up to a marker broadcast sent now. */
async function untilMarker(): Promise<Frame[]> {
  const label = `m${++markers}`;
  await srv.tidings.broadcast({ kind: 'marker', data: { label } });
  const frames = await framesUntil(alice, (f) => f.type === 'broadcast' && (f.data as { label: string }).label === label);
  return frames.slice(0, -1);
}

const seqs = (frames: Frame[]) => frames.filter((f) => f.type === 'notification').map((f) => f.seq);

describe('one connection, events from several processes', () => {
  it('events arriving 3, 1, 2: frames 1, 2, 3 once (the gap is filled from the inbox)', async () => {
    const [a, b, c] = [await store(), await store(), await store()];
    await pushNotification(c);
    await pushNotification(a);
    await pushNotification(b);
    const frames = await untilMarker();
    assert.deepEqual(seqs(frames), [1, 2, 3]);
    assert.deepEqual(frames.find((f) => f.seq === 1)?.id, a.notification.id);
  });

  it('an event the layer dropped: the next one brings it along', async () => {
    await store();
    const five = await store();
    await pushNotification(five);
    assert.deepEqual(seqs(await untilMarker()), [4, 5]);
  });

  it('a newer count that arrives before the notification is not overwritten by the older one', async () => {
    const six = await store();
    assert.equal(six.unread, 6);
    await srv.tidings.inbox.markAllRead('alice');
    await pushUnread(0, 6);
    await pushNotification(six);
    const frames = await untilMarker();
    assert.deepEqual(frames.map((f) => f.type), ['unread', 'notification', 'unread']);
    assert.equal(frames[1]?.unread, 6);
    assert.equal(shownCount(frames, -1), 0);
    assert.equal(await srv.tidings.unreadCount('alice'), 0);
  });

  it('a late count (older version) is dropped; an equal or newer one is sent', async () => {
    await pushUnread(7, 5);
    await pushUnread(2, 6);
    await pushUnread(0, 6);
    assert.deepEqual(await untilMarker(), [{ type: 'unread', count: 0 }]);
  });

  it('a count without a version (an older server) is passed through', async () => {
    await pushUnread(0);
    assert.deepEqual(await untilMarker(), [{ type: 'unread', count: 0 }]);
  });

  it("another user's event on this group (a bug elsewhere) is not delivered", async () => {
    const bobs = await store('bob');
    const n = bobs.notification;
    const event: NotificationEvent = { type: 'tidings.notification', user: 'bob', seq: 7, unread: 1, text: JSON.stringify(notificationFrame(n, 1)) };
    await srv.tidings.layer.groupSend(userGroup('alice'), event);
    await srv.tidings.layer.groupSend(userGroup('alice'), { type: 'tidings.unread', user: 'bob', count: 9, seq: 99, text: '{"type":"unread","count":9}' });
    assert.deepEqual(await untilMarker(), []);
  });
});
