/** Contract cases for list, since, markRead, markAllRead and counts. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { InboxStore, Notification } from '../../src/inbox/index.js';
import { assertConsistent, openStore, rejectsWith, uniqueUser, type MakeStore } from './inbox-store-helpers.js';

/** A count's unread and seq (its `rev` depends on how many marks came before). */
const pick = (c: { unread: number; seq: number }) => ({ unread: c.unread, seq: c.seq });

async function fill(store: InboxStore, userId: string, count: number): Promise<Notification[]> {
  const results = await store.addMany(Array.from({ length: count }, (_, i) => ({ userId, kind: 'k', data: { i } })));
  return results.map((r) => r.notification);
}

const seqs = (items: readonly Notification[]): number[] => items.map((n) => n.seq);
const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => (from <= to ? from + i : from - i));

export function readCases(make: MakeStore): void {
  it('lists newest first, paging with before/limit until nextBefore is null', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('alice');
    assert.deepEqual(await store.list(alice), { items: [], nextBefore: null });
    await fill(store, alice, 25);
    const first = await store.list(alice);
    assert.deepEqual(seqs(first.items), range(25, 6), 'default page size is 20');
    assert.equal(first.nextBefore, 6);
    const second = await store.list(alice, { before: 6 });
    assert.deepEqual(seqs(second.items), range(5, 1));
    assert.equal(second.nextBefore, null);
    const exact = await store.list(alice, { limit: 25 });
    assert.equal(exact.items.length, 25);
    assert.equal(exact.nextBefore, null, 'a page that ends exactly at the last row is the last page');
    assert.deepEqual(seqs((await store.list(alice, { limit: 3, before: 10 })).items), [9, 8, 7]);
    assert.deepEqual((await store.list(alice, { before: 1 })).items, []);
  });

  it('clamps list limits to 1-100', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('alice');
    await fill(store, alice, 120);
    assert.equal((await store.list(alice, { limit: 0 })).items.length, 1);
    const big = await store.list(alice, { limit: 1000 });
    assert.deepEqual(seqs(big.items), range(120, 21));
    assert.equal(big.nextBefore, 21);
    await rejectsWith(store.list(alice, { before: -1 }), 'INVALID_BODY');
  });

  it('lists unread only, newest first, with paging', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('alice');
    const rows = await fill(store, alice, 10);
    await store.markRead(alice, rows.filter((n) => n.seq % 2 === 0).map((n) => n.id));
    const page = await store.list(alice, { unreadOnly: true, limit: 3 });
    assert.deepEqual(seqs(page.items), [9, 7, 5]);
    assert.equal(page.nextBefore, 5);
    const rest = await store.list(alice, { unreadOnly: true, before: 5 });
    assert.deepEqual(seqs(rest.items), [3, 1]);
    assert.equal(rest.nextBefore, null);
    assert.ok(rest.items.every((n) => n.readAt === null));
  });

  it('replays with since: seq > n, oldest first, at most limit', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('alice');
    await fill(store, alice, 10);
    assert.deepEqual(seqs(await store.since(alice, 0, 3)), [1, 2, 3]);
    assert.deepEqual(seqs(await store.since(alice, 3, 100)), range(4, 10));
    assert.deepEqual(await store.since(alice, 10, 5), []);
    assert.deepEqual(await store.since(alice, 99, 5), []);
    assert.deepEqual(await store.since(alice, 0, 0), []);
    assert.deepEqual(await store.since(uniqueUser('nobody'), 0, 10), []);
    await rejectsWith(store.since(alice, -1, 10), 'BAD_CURSOR');
    await rejectsWith(store.since(alice, 1.5, 10), 'BAD_CURSOR');
    await rejectsWith(store.since(alice, 0, 1001), 'INVALID_BODY');
  });

  it('markRead changes only the user’s own unread ids, each once', async (t) => {
    const store = await openStore(t, make);
    const [alice, bob] = [uniqueUser('alice'), uniqueUser('bob')];
    const a = await fill(store, alice, 3);
    const b = await fill(store, bob, 2);
    assert.equal(await store.markRead(alice, [a[0]!.id, a[1]!.id, b[0]!.id, 'no-such-id', a[0]!.id, 'nul\u0000']), 2);
    assert.deepEqual(pick(await store.counts(bob)), { unread: 2, seq: 2 }, 'another user’s ids are ignored');
    assert.equal((await store.since(bob, 0, 1))[0]?.readAt, null);
    assert.equal(await store.markRead(alice, [a[0]!.id]), 0, 'already read is not counted again');
    assert.equal(await store.markRead(alice, []), 0);
    assert.equal(await store.markRead(uniqueUser('nobody'), [a[2]!.id]), 0);
    const rows = await assertConsistent(store, alice);
    assert.deepEqual(rows.map((n) => n.readAt !== null), [true, true, false]);
    assert.ok(Date.parse(rows[0]!.readAt!) >= Date.parse(rows[0]!.createdAt));
    await assertConsistent(store, bob);
  });

  it('markAllRead marks every unread row once, and later adds are unread again', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('alice');
    const rows = await fill(store, alice, 4);
    await store.markRead(alice, [rows[1]!.id]);
    assert.equal(await store.markAllRead(alice), 3);
    assert.equal(await store.markAllRead(alice), 0);
    assert.equal(await store.markAllRead(uniqueUser('nobody')), 0);
    assert.deepEqual(pick(await store.counts(alice)), { unread: 0, seq: 4 });
    const more = await fill(store, alice, 3);
    await store.markRead(alice, [more[1]!.id]);
    assert.deepEqual(seqs((await store.list(alice, { unreadOnly: true })).items), [7, 5]);
    assert.equal(await store.markAllRead(alice), 2);
    await assertConsistent(store, alice);
  });

  it('reports zero counts for an unknown user', async (t) => {
    const store = await openStore(t, make);
    const nobody = uniqueUser('nobody');
    assert.deepEqual(pick(await store.counts(nobody)), { unread: 0, seq: 0 });
    assert.equal(await store.unreadCount(nobody), 0);
  });
}
