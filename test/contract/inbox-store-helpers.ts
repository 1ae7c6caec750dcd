/** Helpers shared by the inbox contract suite (see inbox-store.ts). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { isTidingsError, type ErrorCode } from '../../src/errors.js';
import type { InboxStore, Notification } from '../../src/inbox/index.js';

/** Builds the store under test. Each call may return a new store; stores may share one database. */
export type MakeStore = () => Promise<InboxStore> | InboxStore;

/** A store that is closed when the test ends. */
export async function openStore(t: TestContext, make: MakeStore): Promise<InboxStore> {
  const store = await make();
  t.after(() => store.close());
  return store;
}

/** A user id no other test (or earlier run on the same database) uses. */
export function uniqueUser(label: string): string {
  return `${label}-${randomBytes(6).toString('hex')}`;
}

/** Assert that `err` is a TidingsError of this code. */
export function assertCode(err: unknown, code: ErrorCode): void {
  assert.ok(isTidingsError(err), `expected a TidingsError ${code}, got ${String(err)}`);
  assert.equal(err.code, code);
}

/** Assert that `promise` rejects with a TidingsError of this code. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assertCode(err, code);
    return true;
  });
}

/** Every row of the user, oldest first, read back through `since` page by page. */
export async function allRows(store: InboxStore, userId: string): Promise<Notification[]> {
  const rows: Notification[] = [];
  for (;;) {
    const page = await store.since(userId, rows.at(-1)?.seq ?? 0, 1000);
    rows.push(...page);
    if (page.length < 1000) return rows;
  }
}

/**
 * Check the invariants of one user against a full recount: seqs are 1..n without gaps, `counts().seq` is n,
 * `unreadCount` and `counts().unread` equal the number of unread rows. Returns the rows.
 */
export async function assertConsistent(store: InboxStore, userId: string, context = ''): Promise<Notification[]> {
  const rows = await allRows(store, userId);
  assert.deepEqual(
    rows.map((r) => r.seq),
    rows.map((_, i) => i + 1),
    `seqs of ${userId} have gaps ${context}`,
  );
  const unreadRows = rows.filter((r) => r.readAt === null).length;
  const counts = await store.counts(userId);
  assert.deepEqual({ unread: counts.unread, seq: counts.seq }, { unread: unreadRows, seq: rows.length }, `counts of ${userId} ${context}`);
  assert.equal(await store.unreadCount(userId), unreadRows, `unreadCount of ${userId} ${context}`);
  return rows;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
