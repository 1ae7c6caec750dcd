/**
 * `ReachStore`: the tables of src/reach in the inbox database (migration 3 of src/inbox): preferences,
 * contacts, push subscriptions, the escalation schedule (`reach_pending`) and the deliveries with their
 * retry state (`reach_deliveries`). Backends: `SqliteReachStore`, `PostgresReachStore`, built with
 * {@link ReachStore} factories in `index.ts` from the inbox they share a database with.
 */
import type { Channel, StoredPreferences } from './preferences.js';

/** A browser's push subscription (the `PushSubscription.toJSON()` shape, flattened). */
export interface PushSubscriptionRecord {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** An unread notification in a digest. */
export interface DigestItem {
  id: string;
  seq: number;
  kind: string;
  data: Record<string, unknown>;
  createdAt: string;
}

/** Everything stage one needs to plan one user's escalation. */
export interface DueUser {
  user: string;
  /** Due notifications still unread, in seq order (those read before the deadline are left out). */
  items: DigestItem[];
  preferences: StoredPreferences;
  email: string | null;
  subscriptions: PushSubscriptionRecord[];
}

/** A send to make (stage two), with its stable id (`Tidings-Delivery`). */
export interface DeliveryRecord {
  id: string;
  user: string;
  channel: Channel;
  /** What the channel needs: for all, `{ items }`; for email also `to`; for push also `subscription`. */
  payload: DeliveryPayload;
  /** Attempts started so far (including the one just claimed). */
  attempts: number;
  /** When it was planned (ISO); retries stop after the retry window counted from here. */
  firstAt: string;
}

export interface DeliveryPayload {
  items: DigestItem[];
  to?: string;
  subscription?: PushSubscriptionRecord;
}

/** Plans the deliveries of the due users (pure: preferences and configured channels decide). */
export type Planner = (due: readonly DueUser[]) => Omit<DeliveryRecord, 'attempts' | 'firstAt'>[];

/** The reach tables. All methods reject with TidingsError INBOX_UNAVAILABLE when the database fails. */
export interface ReachStore {
  getPreferences(user: string): Promise<StoredPreferences>;
  putPreferences(user: string, prefs: StoredPreferences): Promise<void>;
  getEmail(user: string): Promise<string | null>;
  /** Set (or with null, clear) the user's address. */
  setEmail(user: string, email: string | null): Promise<void>;
  /** Add or replace (by endpoint) a subscription of `user`. */
  addSubscription(user: string, sub: PushSubscriptionRecord): Promise<void>;
  /** Remove a subscription; with `user`, only if it is that user's. Returns whether one was removed. */
  removeSubscription(endpoint: string, user?: string): Promise<boolean>;
  /**
   * Install the schedule: from now on every stored notification also gets a `reach_pending` row, in the
   * same transaction (a trigger). Idempotent; safe from several processes.
   */
  installSchedule(): Promise<void>;
  /** Forget the schedule of notifications seen on a visible connection: per user, every seq up to the given one. */
  forgetSeen(seen: ReadonlyMap<string, number>): Promise<void>;
  /**
   * Stage one, in one transaction: take up to `limit` schedule rows created at or before `cutoff`
   * (each taken by exactly one caller: `FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on SQLite),
   * group them per user, and store the deliveries `plan` makes of them. Returns how many rows were taken.
   */
  escalateDue(cutoff: Date, limit: number, plan: Planner): Promise<number>;
  /**
   * Stage two: take up to `limit` deliveries due at `now`, leasing each until `now + leaseMs` (a process
   * that dies with it leaves it to be taken again then) and counting the attempt.
   */
  claimDeliveries(now: Date, leaseMs: number, limit: number): Promise<DeliveryRecord[]>;
  /**
   * Record the outcome of attempts, in one transaction: `finished` deliveries (sent, or dropped) are
   * removed; each of `retry` is tried again at its time.
   */
  settleDeliveries(finished: readonly string[], retry: ReadonlyMap<string, Date>): Promise<void>;
  /** Schedule rows and deliveries waiting (for tests, stats). */
  backlog(): Promise<{ pending: number; deliveries: number }>;
}
