/** Contract cases for inbox management: markUnread, archive, archiveRead, and how they move the count. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { InboxStore, Notification } from '../../src/inbox/index.js';
import { assertConsistent, openStore, rejectsWith, uniqueUser, type MakeStore } from './inbox-store-helpers.js';

async function fill(store: InboxStore, userId: string, count: number): Promise<Notification[]> {
  const results = await store.addMany(Array.from({ length: count }, (_, i) => ({ userId, kind: 'k', data: { i } })));
  return results.map((r) => r.notification);
}

const seqsOf = async (store: InboxStore, userId: string, unreadOnly = false): Promise<number[]> =>
  (await store.list(userId, { limit: 100, unreadOnly })).items.map((n) => n.seq);

export function manageCases(make: MakeStore): void {
  it('markUnread brings read rows back: the count goes up, unread lists show them, other users are untouched', async (t) => {
    const store = await openStore(t, make);
    const [alice, bob] = [uniqueUser('alice'), uniqueUser('bob')];
    const rows = await fill(store, alice, 6);
    const bobs = await fill(store, bob, 2);
    assert.equal(await store.markAllRead(alice), 6);
    assert.equal(await store.markAllRead(bob), 2);
    assert.equal(await store.markUnread(alice, [rows[1]!.id, rows[4]!.id, rows[4]!.id, bobs[0]!.id, 'no-such-id']), 2);
    assert.equal(await store.unreadCount(alice), 2);
    assert.equal(await store.unreadCount(bob), 0, "another user's id is ignored");
    assert.deepEqual(await seqsOf(store, alice, true), [5, 2], 'rows below the read floor are found again');
    assert.equal(await store.markUnread(alice, [rows[1]!.id]), 0, 'already unread: no change');
    assert.equal(await store.markUnread(alice, []), 0);
    await assertConsistent(store, alice, 'after markUnread');
    assert.equal(await store.markRead(alice, [rows[1]!.id]), 1);
    assert.equal(await store.markAllRead(alice), 1);
    assert.equal(await store.unreadCount(alice), 0);
    await assertConsistent(store, alice, 'read again');
  });

  it('archive hides rows from lists and counts an unread one as read; seqs and replay stay', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('alice');
    const rows = await fill(store, alice, 5);
    await store.markRead(alice, [rows[0]!.id]);
    assert.equal(await store.unreadCount(alice), 4);
    assert.equal(await store.archive(alice, [rows[0]!.id, rows[2]!.id, 'no-such-id']), 2);
    assert.equal(await store.unreadCount(alice), 3, 'the unread one archived: the count drops');
    assert.deepEqual(await seqsOf(store, alice), [5, 4, 2]);
    assert.deepEqual(await seqsOf(store, alice, true), [5, 4, 2]);
    assert.equal(await store.archive(alice, [rows[2]!.id]), 0, 'already archived');
    assert.equal(await store.markUnread(alice, [rows[2]!.id]), 0, 'an archived row cannot be unread again');
    assert.equal(await store.unreadCount(alice), 3);
    assert.deepEqual((await store.since(alice, 0, 10)).map((n) => n.seq), [1, 2, 3, 4, 5], 'replay keeps every seq');
    await assertConsistent(store, alice, 'after archive');
    const next = await store.add({ userId: alice, kind: 'k', data: {} });
    assert.equal(next.notification.seq, 6);
    assert.equal(next.unread, 4);
  });

  it('archiveRead archives every read row and leaves the count alone; paging skips archived rows', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('alice');
    const rows = await fill(store, alice, 30);
    await store.markRead(alice, rows.filter((n) => n.seq % 3 !== 0).map((n) => n.id));
    assert.equal(await store.unreadCount(alice), 10);
    assert.equal(await store.archiveRead(alice), 20);
    assert.equal(await store.archiveRead(alice), 0);
    assert.equal(await store.unreadCount(alice), 10);
    const first = await store.list(alice, { limit: 4 });
    assert.deepEqual(first.items.map((n) => n.seq), [30, 27, 24, 21]);
    const rest = await store.list(alice, { limit: 100, before: first.nextBefore ?? 0 });
    assert.deepEqual(rest.items.map((n) => n.seq), [18, 15, 12, 9, 6, 3]);
    assert.equal(rest.nextBefore, null);
    await assertConsistent(store, alice, 'after archiveRead');
  });

  it('refuses invalid user ids like the other writes', async (t) => {
    const store = await openStore(t, make);
    await rejectsWith(store.markUnread('', ['x']), 'INVALID_BODY');
    await rejectsWith(store.archive('', ['x']), 'INVALID_BODY');
    await rejectsWith(store.archiveRead(''), 'INVALID_BODY');
  });
}
