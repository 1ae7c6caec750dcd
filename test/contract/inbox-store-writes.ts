/** Contract cases for add/addMany: seqs, concurrency, dedupe, validation, data round-trip. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AddResult, NewNotification } from '../../src/inbox/index.js';
import { assertCode, assertConsistent, openStore, rejectsWith, uniqueUser, type MakeStore } from './inbox-store-helpers.js';

/** A count's unread and seq (its `rev` depends on how many marks came before). */
const pick = (c: { unread: number; seq: number }) => ({ unread: c.unread, seq: c.seq });

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function note(userId: string, extra: Partial<NewNotification> = {}): NewNotification {
  return { userId, kind: 'reply', data: { text: 'hello' }, ...extra };
}

export function writeCases(make: MakeStore): void {
  it('assigns seq 1..n per user without gaps, independently per user, and returns the stored row', async (t) => {
    const store = await openStore(t, make);
    const [alice, bob] = [uniqueUser('alice'), uniqueUser('bob')];
    const seen: AddResult[] = [];
    for (const userId of [alice, bob, alice, alice, bob, alice]) seen.push(await store.add(note(userId)));
    assert.deepEqual(
      seen.map((r) => [r.notification.userId === alice ? 'a' : 'b', r.notification.seq, r.unread, r.created]),
      [['a', 1, 1, true], ['b', 1, 1, true], ['a', 2, 2, true], ['a', 3, 3, true], ['b', 2, 2, true], ['a', 4, 4, true]],
    );
    const first = seen[0]!.notification;
    assert.equal(first.kind, 'reply');
    assert.deepEqual(first.data, { text: 'hello' });
    assert.equal(first.dedupeKey, null);
    assert.equal(first.readAt, null);
    assert.match(first.createdAt, ISO);
    assert.ok(Math.abs(Date.parse(first.createdAt) - Date.now()) < 60_000, 'createdAt is about now');
    assert.equal(new Set(seen.map((r) => r.notification.id)).size, seen.length, 'ids are unique');
    assert.deepEqual(pick(await store.counts(alice)), { unread: 4, seq: 4 });
    assert.deepEqual(pick(await store.counts(bob)), { unread: 2, seq: 2 });
    const [stored] = await store.since(alice, 0, 1);
    assert.deepEqual(stored, first, 'add returns exactly what is stored');
  });

  it('gives 500 concurrent adds distinct consecutive seqs in call order, all committed', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('alice');
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => store.add(note(alice, { data: { i } }))));
    assert.deepEqual(results.map((r) => r.notification.seq), results.map((_, i) => i + 1));
    assert.deepEqual(results.map((r) => r.unread), results.map((_, i) => i + 1));
    const rows = await assertConsistent(store, alice);
    assert.deepEqual(rows.map((r) => r.id), results.map((r) => r.notification.id));
    assert.deepEqual(rows.map((r) => r.data.i), results.map((_, i) => i));
  });

  it('keeps call order per user when concurrent adds interleave users', async (t) => {
    const store = await openStore(t, make);
    const users = [uniqueUser('a'), uniqueUser('b'), uniqueUser('c')];
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => store.add(note(users[i % 3]!, { data: { i } }))));
    for (const [u, userId] of users.entries()) {
      const mine = results.filter((r) => r.notification.userId === userId);
      assert.deepEqual(mine.map((r) => r.notification.data.i), mine.map((_, k) => k * 3 + u));
      assert.deepEqual(mine.map((r) => r.notification.seq), mine.map((_, k) => k + 1));
      await assertConsistent(store, userId);
    }
  });

  it('addMany stores everything in input order, resolving in-call duplicates to the first', async (t) => {
    const store = await openStore(t, make);
    const [alice, bob] = [uniqueUser('alice'), uniqueUser('bob')];
    assert.deepEqual(await store.addMany([]), []);
    const results = await store.addMany([
      note(alice, { dedupeKey: 'k' }),
      note(bob),
      note(alice, { dedupeKey: 'k', data: { other: true } }),
      note(alice),
    ]);
    assert.deepEqual(
      results.map((r) => [r.notification.seq, r.unread, r.created]),
      [[1, 1, true], [1, 1, true], [1, 1, false], [2, 2, true]],
    );
    assert.equal(results[2]!.notification.id, results[0]!.notification.id);
    assert.deepEqual(results[2]!.notification.data, { text: 'hello' });
    await assertConsistent(store, alice);
  });

  it('dedupes sequential adds: one row, created=false, no seq burned, counts unchanged', async (t) => {
    const store = await openStore(t, make);
    const [alice, bob] = [uniqueUser('alice'), uniqueUser('bob')];
    const first = await store.add(note(alice, { dedupeKey: 'order-1', data: { v: 1 } }));
    const again = await store.add(note(alice, { dedupeKey: 'order-1', data: { v: 2 }, kind: 'other' }));
    assert.equal(again.created, false);
    assert.deepEqual(again.notification, first.notification);
    assert.equal(again.unread, 1);
    assert.deepEqual(pick(await store.counts(alice)), { unread: 1, seq: 1 });
    assert.equal((await store.add(note(alice))).notification.seq, 2, 'the duplicate took no seq');
    const other = await store.add(note(bob, { dedupeKey: 'order-1' }));
    assert.equal(other.created, true, 'dedupe keys are per user');
    await assertConsistent(store, alice);
  });

  it('dedupes concurrent duplicates, including inside one batch', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('alice');
    const calls = Array.from({ length: 40 }, (_, i) =>
      store.add(note(alice, i % 2 === 0 ? { dedupeKey: 'same', data: { i } } : { data: { i } })),
    );
    const results = await Promise.all(calls);
    const keyed = results.filter((_, i) => i % 2 === 0);
    assert.equal(keyed.filter((r) => r.created).length, 1, 'exactly one duplicate is stored');
    assert.equal(new Set(keyed.map((r) => r.notification.id)).size, 1);
    assert.deepEqual(keyed[0]!.notification.data, { i: 0 }, 'the first call wins');
    const rows = await assertConsistent(store, alice);
    assert.equal(rows.length, 21);
    assert.equal(rows.filter((r) => r.dedupeKey === 'same').length, 1);
  });

  it('returns a read duplicate as read and changes no count', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('alice');
    const first = await store.add(note(alice, { dedupeKey: 'k' }));
    await store.add(note(alice));
    assert.equal(await store.markRead(alice, [first.notification.id]), 1);
    const again = await store.add(note(alice, { dedupeKey: 'k' }));
    assert.equal(again.created, false);
    assert.match(again.notification.readAt ?? '', ISO);
    assert.equal(again.unread, 1);
    assert.deepEqual(pick(await store.counts(alice)), { unread: 1, seq: 2 });
  });

  it('refuses invalid notifications with INVALID_BODY without failing the rest of the batch', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('alice');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const bad: unknown[] = [
      note(''),
      note('x'.repeat(129)),
      note('nul\u0000user'),
      note(alice, { kind: '' }),
      note(alice, { kind: 'k'.repeat(65) }),
      { userId: alice, kind: 'reply', data: [1, 2] },
      { userId: alice, kind: 'reply', data: null },
      { userId: alice, kind: 'reply', data: circular },
      { userId: alice, kind: 'reply', data: { big: 'x'.repeat(70_000) } },
      note(alice, { dedupeKey: '' }),
    ];
    const settled = await Promise.allSettled([
      store.add(note(alice)),
      ...bad.map((n) => store.add(n as NewNotification)),
      store.add(note(alice)),
    ]);
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', ...bad.map(() => 'rejected'), 'fulfilled']);
    for (const s of settled.slice(1, -1)) assertCode((s as PromiseRejectedResult).reason, 'INVALID_BODY');
    await rejectsWith(store.addMany([note(alice), note('')]), 'INVALID_BODY');
    const rows = await assertConsistent(store, alice);
    assert.equal(rows.length, 2, 'an addMany with one bad item stores nothing');
  });

  it('round-trips data as JSON: unicode, escapes, nesting, numbers', async (t) => {
    const store = await openStore(t, make);
    const alice = uniqueUser('ünï-😀');
    const data = {
      text: 'héllo wörld — 你好 — مرحبا — 😀👩‍👩‍👧 — e\u0301',
      escapes: 'quote " backslash \\ nul \u0000 tab \t newline \n lone \ud800 literal \\ud800',
      nested: { list: [1, 'two', { three: [null, true, false] }], empty: {}, none: [] },
      numbers: [0, -1, 3.14159, 1e21, -2.5e-7, Number.MAX_SAFE_INTEGER],
      '': 'empty key',
      dropped: undefined,
    };
    const expected = JSON.parse(JSON.stringify(data));
    const added = await store.add({ userId: alice, kind: 'ünïcode', data });
    assert.deepEqual(added.notification.data, expected);
    assert.equal(added.notification.userId, alice);
    const [viaSince] = await store.since(alice, 0, 10);
    assert.deepEqual(viaSince?.data, expected);
    assert.equal(viaSince?.kind, 'ünïcode');
    assert.deepEqual((await store.list(alice)).items[0]?.data, expected);
  });
}
