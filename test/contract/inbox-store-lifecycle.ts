/** Contract cases: the unread invariant under random concurrent interleavings, close(), ping(), durability. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { InboxStore } from '../../src/inbox/index.js';
import {
  assertConsistent,
  openStore,
  rejectsWith,
  seededRandom,
  uniqueUser,
  type MakeStore,
} from './inbox-store-helpers.js';

interface Tally {
  created: number;
  read: number;
}

/** One round of random operations, all started before any is awaited. */
function randomRound(store: InboxStore, random: () => number, users: string[], ids: string[], tally: Map<string, Tally>) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const ops: Promise<unknown>[] = [];
  const count = 5 + Math.floor(random() * 25);
  for (let i = 0; i < count; i++) {
    const userId = pick(users);
    const t = tally.get(userId)!;
    const r = random();
    if (r < 0.6) {
      const dedupeKey = random() < 0.25 ? `key-${Math.floor(random() * 6)}` : undefined;
      const add = store.add({ userId, kind: 'p', data: { i }, dedupeKey });
      ops.push(add.then((res) => (res.created ? ((t.created += 1), ids.push(res.notification.id)) : 0)));
    } else if (r < 0.9) {
      // Ids of every user, known and unknown: another user's ids must be ignored.
      const chosen = Array.from({ length: 1 + Math.floor(random() * 5) }, () => (ids.length ? pick(ids) : 'none'));
      ops.push(store.markRead(userId, chosen).then((n) => (t.read += n)));
    } else {
      ops.push(store.markAllRead(userId).then((n) => (t.read += n)));
    }
  }
  return Promise.all(ops);
}

export function lifecycleCases(make: MakeStore, persistent: boolean): void {
  for (const seed of [0xc0ffee, 42, 2024]) {
    it(`keeps unreadCount equal to a recount under random concurrent add/markRead/markAllRead (seed ${seed})`, async (t) => {
      const store = await openStore(t, make);
      const random = seededRandom(seed);
      const users = [uniqueUser('p1'), uniqueUser('p2'), uniqueUser('p3')];
      const tally = new Map(users.map((u): [string, Tally] => [u, { created: 0, read: 0 }]));
      const ids: string[] = [];
      for (let round = 0; round < 30; round++) {
        await randomRound(store, random, users, ids, tally);
        for (const userId of users) {
          const context = `(seed ${seed}, round ${round})`;
          const rows = await assertConsistent(store, userId, context);
          const { created, read } = tally.get(userId)!;
          assert.equal(rows.length, created, `rows of ${userId} ${context}`);
          assert.equal(rows.filter((r) => r.readAt === null).length, created - read, `marks returned ${context}`);
          const unreadPage = await store.list(userId, { unreadOnly: true, limit: 100 });
          assert.equal(unreadPage.items.length, Math.min(100, created - read), `unread list ${context}`);
        }
      }
    });
  }

  it('close() waits for pending writes, is idempotent, and later calls fail with INBOX_UNAVAILABLE', async (t) => {
    const store = await make();
    const alice = uniqueUser('alice');
    let settled = 0;
    const adds = Array.from({ length: 100 }, (_, i) =>
      store.add({ userId: alice, kind: 'k', data: { i } }).finally(() => (settled += 1)),
    );
    await Promise.all([store.close(), store.close()]);
    assert.equal(settled, 100, 'every pending add settled before close() resolved');
    const results = await Promise.all(adds);
    assert.deepEqual(results.map((r) => r.notification.seq), results.map((_, i) => i + 1));
    await store.close();
    await rejectsWith(store.add({ userId: alice, kind: 'k', data: {} }), 'INBOX_UNAVAILABLE');
    await rejectsWith(store.list(alice), 'INBOX_UNAVAILABLE');
    await rejectsWith(store.markAllRead(alice), 'INBOX_UNAVAILABLE');
    assert.equal(await store.ping(), false);
    if (persistent) {
      const reopened = await openStore(t, make);
      const rows = await assertConsistent(reopened, alice);
      assert.deepEqual(rows.map((r) => r.id), results.map((r) => r.notification.id), 'committed rows survive close');
    }
  });

  it('answers ping() while open', async (t) => {
    const store = await openStore(t, make);
    assert.equal(await store.ping(), true);
  });
}
