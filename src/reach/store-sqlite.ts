/**
 * `SqliteReachStore`: the reach tables in the SQLite inbox database (same connection as the inbox, so a
 * `:memory:` inbox works too). Every write is one `BEGIN IMMEDIATE` transaction: SQLite has one writer at a
 * time, so a schedule row is taken by exactly one process.
 */
import type { Database } from 'better-sqlite3';
import { TidingsError } from '../errors.js';
import { NO_PREFERENCES, type StoredPreferences } from './preferences.js';
import type { DeliveryRecord, DigestItem, DueUser, Planner, PushSubscriptionRecord, ReachStore } from './store.js';

type ItemRow = { id: string; seq: number; kind: string; data: string; created_at: string };
type DeliveryRow = { id: string; user_id: string; channel: string; payload: string; attempts: number; first_at: string };

function statements(db: Database) {
  return {
    getPrefs: db.prepare<[string], { prefs: string }>('SELECT prefs FROM reach_preferences WHERE user_id = ?'),
    putPrefs: db.prepare<[string, string, string]>(
      `INSERT INTO reach_preferences (user_id, prefs, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at`,
    ),
    getEmail: db.prepare<[string], { email: string | null }>('SELECT email FROM reach_contacts WHERE user_id = ?'),
    putEmail: db.prepare<[string, string | null, string]>(
      `INSERT INTO reach_contacts (user_id, email, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at`,
    ),
    subs: db.prepare<[string], PushSubscriptionRecord>('SELECT endpoint, p256dh, auth FROM reach_push_subscriptions WHERE user_id = ?'),
    putSub: db.prepare<[string, string, string, string, string]>(
      `INSERT INTO reach_push_subscriptions (endpoint, user_id, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth`,
    ),
    delSub: db.prepare<[string]>('DELETE FROM reach_push_subscriptions WHERE endpoint = ?'),
    delUserSub: db.prepare<[string, string]>('DELETE FROM reach_push_subscriptions WHERE endpoint = ? AND user_id = ?'),
    forget: db.prepare<[string, number]>('DELETE FROM reach_pending WHERE user_id = ? AND seq <= ?'),
    due: db.prepare<[string, number], { user_id: string; seq: number }>(
      'SELECT user_id, seq FROM reach_pending WHERE created_at <= ? ORDER BY created_at LIMIT ?',
    ),
    take: db.prepare<[string, number]>('DELETE FROM reach_pending WHERE user_id = ? AND seq = ?'),
    unread: db.prepare<[string, string], ItemRow>(
      `SELECT id, seq, kind, data, created_at FROM inbox_notifications
       WHERE user_id = ? AND seq IN (SELECT value FROM json_each(?)) AND read_at IS NULL ORDER BY seq`,
    ),
    addDelivery: db.prepare<[string, string, string, string, string, string]>(
      'INSERT INTO reach_deliveries (id, user_id, channel, payload, first_at, next_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    dueDeliveries: db.prepare<[string, number], DeliveryRow>(
      'SELECT id, user_id, channel, payload, attempts, first_at FROM reach_deliveries WHERE next_at <= ? ORDER BY next_at LIMIT ?',
    ),
    lease: db.prepare<[string, string]>('UPDATE reach_deliveries SET next_at = ?, attempts = attempts + 1 WHERE id = ?'),
    finish: db.prepare<[string]>('DELETE FROM reach_deliveries WHERE id = ?'),
    retry: db.prepare<[string, string]>('UPDATE reach_deliveries SET next_at = ? WHERE id = ?'),
    pendingCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM reach_pending'),
    deliveryCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM reach_deliveries'),
  };
}

const SCHEDULE_TRIGGER = `CREATE TRIGGER IF NOT EXISTS reach_schedule AFTER INSERT ON inbox_notifications
  BEGIN
    INSERT OR IGNORE INTO reach_pending (user_id, seq, notification_id, created_at)
    VALUES (NEW.user_id, NEW.seq, NEW.id, NEW.created_at);
  END`;

/** The reach tables on the inbox's SQLite connection. */
export class SqliteReachStore implements ReachStore {
  readonly #sql: ReturnType<typeof statements>;

  constructor(private readonly db: Database) {
    this.#sql = statements(db);
  }

  async getPreferences(user: string): Promise<StoredPreferences> {
    const row = this.#run(() => this.#sql.getPrefs.get(user));
    return row ? (JSON.parse(row.prefs) as StoredPreferences) : NO_PREFERENCES;
  }

  async putPreferences(user: string, prefs: StoredPreferences): Promise<void> {
    this.#run(() => this.#sql.putPrefs.run(user, JSON.stringify(prefs), new Date().toISOString()));
  }

  async getEmail(user: string): Promise<string | null> {
    return this.#run(() => this.#sql.getEmail.get(user)?.email ?? null);
  }

  async setEmail(user: string, email: string | null): Promise<void> {
    this.#run(() => this.#sql.putEmail.run(user, email, new Date().toISOString()));
  }

  async addSubscription(user: string, sub: PushSubscriptionRecord): Promise<void> {
    this.#run(() => this.#sql.putSub.run(sub.endpoint, user, sub.p256dh, sub.auth, new Date().toISOString()));
  }

  async removeSubscription(endpoint: string, user?: string): Promise<boolean> {
    const r = this.#run(() => (user === undefined ? this.#sql.delSub.run(endpoint) : this.#sql.delUserSub.run(endpoint, user)));
    return r.changes > 0;
  }

  async installSchedule(): Promise<void> {
    this.#run(() => this.db.exec(SCHEDULE_TRIGGER));
  }

  async forgetSeen(seen: ReadonlyMap<string, number>): Promise<void> {
    if (seen.size === 0) return;
    this.#write(() => {
      for (const [user, seq] of seen) this.#sql.forget.run(user, seq);
    });
  }

  async escalateDue(cutoff: Date, limit: number, plan: Planner): Promise<number> {
    return this.#write(() => {
      const rows = this.#sql.due.all(cutoff.toISOString(), limit);
      if (rows.length === 0) return 0;
      const seqs = new Map<string, number[]>();
      for (const r of rows) {
        this.#sql.take.run(r.user_id, r.seq);
        seqs.set(r.user_id, [...(seqs.get(r.user_id) ?? []), r.seq]);
      }
      const due: DueUser[] = [];
      for (const [user, list] of seqs) {
        const items = this.#sql.unread.all(user, JSON.stringify(list)).map(toItem);
        if (items.length === 0) continue;
        const prefs = this.#sql.getPrefs.get(user);
        const preferences = prefs ? (JSON.parse(prefs.prefs) as StoredPreferences) : NO_PREFERENCES;
        due.push({ user, items, preferences, email: this.#sql.getEmail.get(user)?.email ?? null, subscriptions: this.#sql.subs.all(user) });
      }
      if (due.length === 0) return rows.length;
      const now = new Date().toISOString();
      for (const d of plan(due)) this.#sql.addDelivery.run(d.id, d.user, d.channel, JSON.stringify(d.payload), now, now);
      return rows.length;
    });
  }

  async claimDeliveries(now: Date, leaseMs: number, limit: number): Promise<DeliveryRecord[]> {
    return this.#write(() => {
      const rows = this.#sql.dueDeliveries.all(now.toISOString(), limit);
      const until = new Date(now.getTime() + leaseMs).toISOString();
      for (const r of rows) this.#sql.lease.run(until, r.id);
      return rows.map((r) => toDelivery({ ...r, attempts: r.attempts + 1 }));
    });
  }

  async settleDeliveries(finished: readonly string[], retry: ReadonlyMap<string, Date>): Promise<void> {
    if (finished.length === 0 && retry.size === 0) return;
    this.#write(() => {
      for (const id of finished) this.#sql.finish.run(id);
      for (const [id, at] of retry) this.#sql.retry.run(at.toISOString(), id);
    });
  }

  async backlog(): Promise<{ pending: number; deliveries: number }> {
    return this.#run(() => ({ pending: this.#sql.pendingCount.get()!.n, deliveries: this.#sql.deliveryCount.get()!.n }));
  }

  #write<T>(fn: () => T): T {
    return this.#run(() => this.db.transaction(fn).immediate());
  }

  #run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new TidingsError('INBOX_UNAVAILABLE', `reach tables: ${(err as Error).message}`, { cause: err });
    }
  }
}

function toItem(r: ItemRow): DigestItem {
  return { id: r.id, seq: r.seq, kind: r.kind, data: JSON.parse(r.data) as Record<string, unknown>, createdAt: r.created_at };
}

function toDelivery(r: DeliveryRow): DeliveryRecord {
  const payload = JSON.parse(r.payload) as DeliveryRecord['payload'];
  return { id: r.id, user: r.user_id, channel: r.channel as DeliveryRecord['channel'], payload, attempts: r.attempts, firstAt: r.first_at };
}
