/**
 * What both backends share between the database and the {@link InboxStore} types: turning rows into
 * notifications and pages, and planning a group-commit batch (seqs, unread counts, duplicates) in memory
 * once the users' counters are locked.
 */
import { newId } from './ids.js';
import type { PreparedNotification } from './input.js';
import type { AddResult, Notification, Page } from './types.js';

/** Columns selected for a notification, in the order of {@link NotificationRow}. */
export const NOTIFICATION_COLUMNS = 'id, user_id, seq, kind, data, dedupe_key, created_at, read_at';

/** A notification row as either driver returns it (PostgreSQL: bigint as string, json parsed, Date). */
export interface NotificationRow {
  id: string;
  user_id: string;
  seq: number | string;
  kind: string;
  data: string | Record<string, unknown>;
  dedupe_key: string | null;
  created_at: string | Date;
  read_at: string | Date | null;
}

/** A user's counters row. */
export interface Counter {
  lastSeq: number;
  unread: number;
}

/** A planned batch: one result per item, the rows to insert, and the final counters of touched users. */
export interface BatchPlan {
  results: AddResult[];
  inserts: { notification: Notification; json: string }[];
  counters: Map<string, Counter>;
}

function iso(value: string | Date): string {
  return typeof value === 'string' ? value : value.toISOString();
}

/** Convert a row of either backend. */
export function rowToNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    userId: row.user_id,
    seq: Number(row.seq),
    kind: row.kind,
    data: typeof row.data === 'string' ? (JSON.parse(row.data) as Record<string, unknown>) : row.data,
    dedupeKey: row.dedupe_key,
    createdAt: iso(row.created_at),
    readAt: row.read_at === null ? null : iso(row.read_at),
  };
}

/** A page from rows fetched newest first with `limit + 1` rows (the extra one only says "there is more"). */
export function toPage(rows: readonly NotificationRow[], limit: number): Page<Notification> {
  const items = rows.slice(0, limit).map(rowToNotification);
  const more = rows.length > limit && items.length > 0;
  return { items, nextBefore: more ? items[items.length - 1]!.seq : null };
}

/** Map key for a (user, dedupe key) pair. NUL cannot occur in either part (see input.ts). */
export function dedupeMapKey(userId: string, dedupeKey: string): string {
  return `${userId}\u0000${dedupeKey}`;
}

/**
 * Assign seqs and unread counts to a batch, in item order. `counters` holds the current (locked) counters
 * of every user in the batch (absent: a new user) and is updated in place. `findExisting` looks up an
 * already stored row by dedupe key; duplicates inside the batch resolve to the first occurrence. A duplicate
 * takes no seq and changes no count.
 */
export function planBatch(
  items: readonly PreparedNotification[],
  counters: Map<string, Counter>,
  findExisting: (userId: string, dedupeKey: string) => Notification | undefined,
  now: Date = new Date(),
): BatchPlan {
  const createdAt = now.toISOString();
  const fresh = new Map<string, Notification>();
  const plan: BatchPlan = { results: [], inserts: [], counters: new Map() };
  for (const item of items) {
    let counter = counters.get(item.userId);
    if (counter === undefined) counters.set(item.userId, (counter = { lastSeq: 0, unread: 0 }));
    const key = item.dedupeKey === null ? null : dedupeMapKey(item.userId, item.dedupeKey);
    const existing = key === null ? undefined : (fresh.get(key) ?? findExisting(item.userId, item.dedupeKey!));
    if (existing !== undefined) {
      plan.results.push({ notification: existing, unread: counter.unread, created: false });
      continue;
    }
    counter.lastSeq += 1;
    counter.unread += 1;
    const notification: Notification = {
      id: newId(now.getTime()),
      userId: item.userId,
      seq: counter.lastSeq,
      kind: item.kind,
      data: JSON.parse(item.json) as Record<string, unknown>,
      dedupeKey: item.dedupeKey,
      createdAt,
      readAt: null,
    };
    if (key !== null) fresh.set(key, notification);
    plan.inserts.push({ notification, json: item.json });
    plan.counters.set(item.userId, counter);
    plan.results.push({ notification, unread: counter.unread, created: true });
  }
  return plan;
}
