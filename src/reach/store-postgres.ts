/**
 * `PostgresReachStore`: the reach tables in the PostgreSQL inbox schema, on the inbox's pool. Schedule rows
 * and deliveries are taken with `FOR UPDATE SKIP LOCKED`, so with several processes each is taken by
 * exactly one; stage one (take schedule rows, store deliveries) is one transaction, so a process killed
 * in the middle leaves the rows where they were.
 */
import type pg from 'pg';
import { TidingsError } from '../errors.js';
import { inTransaction } from '../inbox/pg-transaction.js';
import { NO_PREFERENCES, type StoredPreferences } from './preferences.js';
import type { DeliveryRecord, DigestItem, DueUser, Planner, PushSubscriptionRecord, ReachStore } from './store.js';

function statements(s: string) {
  const q = (t: string) => `${s}.${t}`;
  return {
    getPrefs: `SELECT prefs FROM ${q('reach_preferences')} WHERE user_id = $1`,
    putPrefs: `INSERT INTO ${q('reach_preferences')} (user_id, prefs, updated_at) VALUES ($1, $2, now())
      ON CONFLICT (user_id) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at`,
    getEmail: `SELECT email FROM ${q('reach_contacts')} WHERE user_id = $1`,
    putEmail: `INSERT INTO ${q('reach_contacts')} (user_id, email, updated_at) VALUES ($1, $2, now())
      ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at`,
    putSub: `INSERT INTO ${q('reach_push_subscriptions')} (endpoint, user_id, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, now())
      ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth`,
    delSub: `DELETE FROM ${q('reach_push_subscriptions')} WHERE endpoint = $1 AND ($2::text IS NULL OR user_id = $2)`,
    trigger: `CREATE OR REPLACE FUNCTION ${q('reach_schedule')}() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO ${q('reach_pending')} (user_id, seq, notification_id, created_at)
        SELECT user_id, seq, id, created_at FROM reach_new ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $fn$;
      DO $do$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'reach_schedule' AND tgrelid = '${q('inbox_notifications').replace(/'/g, "''")}'::regclass) THEN
          CREATE TRIGGER reach_schedule AFTER INSERT ON ${q('inbox_notifications')}
            REFERENCING NEW TABLE AS reach_new FOR EACH STATEMENT EXECUTE FUNCTION ${q('reach_schedule')}();
        END IF;
      END $do$`,
    forget: `DELETE FROM ${q('reach_pending')} p USING unnest($1::text[], $2::bigint[]) AS k(user_id, seq)
      WHERE p.user_id = k.user_id AND p.seq <= k.seq`,
    take: `WITH due AS (
        SELECT user_id, seq FROM ${q('reach_pending')} WHERE created_at <= $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
      ) DELETE FROM ${q('reach_pending')} p USING due WHERE p.user_id = due.user_id AND p.seq = due.seq RETURNING p.user_id, p.seq`,
    unread: `SELECT n.user_id, n.id, n.seq, n.kind, n.data, n.created_at FROM ${q('inbox_notifications')} n
      JOIN unnest($1::text[], $2::bigint[]) AS k(user_id, seq) ON n.user_id = k.user_id AND n.seq = k.seq
      WHERE n.read_at IS NULL ORDER BY n.user_id, n.seq`,
    prefsOf: `SELECT user_id, prefs FROM ${q('reach_preferences')} WHERE user_id = ANY($1::text[])`,
    emailsOf: `SELECT user_id, email FROM ${q('reach_contacts')} WHERE user_id = ANY($1::text[])`,
    subsOf: `SELECT user_id, endpoint, p256dh, auth FROM ${q('reach_push_subscriptions')} WHERE user_id = ANY($1::text[])`,
    addDeliveries: `INSERT INTO ${q('reach_deliveries')} (id, user_id, channel, payload, first_at, next_at)
      SELECT id, user_id, channel, payload::json, now(), now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(id, user_id, channel, payload)`,
    claim: `UPDATE ${q('reach_deliveries')} d SET next_at = $2, attempts = d.attempts + 1
      FROM (SELECT id FROM ${q('reach_deliveries')} WHERE next_at <= $1 ORDER BY next_at LIMIT $3 FOR UPDATE SKIP LOCKED) c
      WHERE d.id = c.id RETURNING d.id, d.user_id, d.channel, d.payload, d.attempts, d.first_at`,
    settle: `WITH f AS (DELETE FROM ${q('reach_deliveries')} WHERE id = ANY($1::text[]))
      UPDATE ${q('reach_deliveries')} d SET next_at = r.at FROM unnest($2::text[], $3::timestamptz[]) AS r(id, at) WHERE d.id = r.id`,
    backlog: `SELECT (SELECT count(*) FROM ${q('reach_pending')})::int AS pending, (SELECT count(*) FROM ${q('reach_deliveries')})::int AS deliveries`,
  };
}

type Row = Record<string, unknown>;

/** The reach tables on the inbox's PostgreSQL pool and schema. */
export class PostgresReachStore implements ReachStore {
  readonly #sql: ReturnType<typeof statements>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {
    this.#sql = statements(`"${schema.replace(/"/g, '""')}"`);
  }

  async getPreferences(user: string): Promise<StoredPreferences> {
    const [row] = await this.#query(this.#sql.getPrefs, [user]);
    return row ? (row.prefs as StoredPreferences) : NO_PREFERENCES;
  }

  async putPreferences(user: string, prefs: StoredPreferences): Promise<void> {
    await this.#query(this.#sql.putPrefs, [user, JSON.stringify(prefs)]);
  }

  async getEmail(user: string): Promise<string | null> {
    const [row] = await this.#query(this.#sql.getEmail, [user]);
    return (row?.email as string | null | undefined) ?? null;
  }

  async setEmail(user: string, email: string | null): Promise<void> {
    await this.#query(this.#sql.putEmail, [user, email]);
  }

  async addSubscription(user: string, sub: PushSubscriptionRecord): Promise<void> {
    await this.#query(this.#sql.putSub, [sub.endpoint, user, sub.p256dh, sub.auth]);
  }

  async removeSubscription(endpoint: string, user?: string): Promise<boolean> {
    const r = await this.#result(this.#sql.delSub, [endpoint, user ?? null]);
    return (r.rowCount ?? 0) > 0;
  }

  async installSchedule(): Promise<void> {
    await this.#transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tidings.reach.${this.schema}`]);
      await c.query(this.#sql.trigger);
    });
  }

  async forgetSeen(seen: ReadonlyMap<string, number>): Promise<void> {
    if (seen.size === 0) return;
    await this.#query(this.#sql.forget, [[...seen.keys()], [...seen.values()]]);
  }

  async escalateDue(cutoff: Date, limit: number, plan: Planner): Promise<number> {
    return this.#transaction(async (c) => {
      const taken = (await c.query(this.#sql.take, [cutoff, limit])).rows as { user_id: string; seq: string }[];
      if (taken.length === 0) return 0;
      const items = (await c.query(this.#sql.unread, [taken.map((r) => r.user_id), taken.map((r) => r.seq)])).rows as Row[];
      const users = [...new Set(items.map((r) => r.user_id as string))];
      if (users.length === 0) return taken.length;
      // One client: one query at a time.
      const prefs = await c.query(this.#sql.prefsOf, [users]);
      const emails = await c.query(this.#sql.emailsOf, [users]);
      const subs = await c.query(this.#sql.subsOf, [users]);
      const due = dueUsers(users, items, prefs.rows as Row[], emails.rows as Row[], subs.rows as Row[]);
      const planned = plan(due);
      if (planned.length > 0) {
        const cols = [planned.map((d) => d.id), planned.map((d) => d.user), planned.map((d) => d.channel), planned.map((d) => JSON.stringify(d.payload))];
        await c.query(this.#sql.addDeliveries, cols);
      }
      return taken.length;
    });
  }

  async claimDeliveries(now: Date, leaseMs: number, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.#query(this.#sql.claim, [now, new Date(now.getTime() + leaseMs), limit]);
    return rows.map((r) => ({
      id: r.id as string,
      user: r.user_id as string,
      channel: r.channel as DeliveryRecord['channel'],
      payload: r.payload as DeliveryRecord['payload'],
      attempts: Number(r.attempts),
      firstAt: (r.first_at as Date).toISOString(),
    }));
  }

  async settleDeliveries(finished: readonly string[], retry: ReadonlyMap<string, Date>): Promise<void> {
    if (finished.length === 0 && retry.size === 0) return;
    await this.#query(this.#sql.settle, [finished, [...retry.keys()], [...retry.values()]]);
  }

  async backlog(): Promise<{ pending: number; deliveries: number }> {
    const [row] = await this.#query(this.#sql.backlog, []);
    return { pending: Number(row?.pending ?? 0), deliveries: Number(row?.deliveries ?? 0) };
  }

  async #query(text: string, values: unknown[]): Promise<Row[]> {
    return (await this.#result(text, values)).rows;
  }

  async #result(text: string, values: unknown[]): Promise<pg.QueryResult<Row>> {
    try {
      return await this.pool.query<Row>(text, values);
    } catch (err) {
      throw unavailable(err);
    }
  }

  #transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn, unavailable);
  }
}

function unavailable(err: unknown): TidingsError {
  if (err instanceof TidingsError) return err;
  return new TidingsError('INBOX_UNAVAILABLE', `reach tables: ${(err as Error).message}`, { cause: err });
}

function dueUsers(users: string[], items: Row[], prefs: Row[], emails: Row[], subs: Row[]): DueUser[] {
  const byUser = new Map<string, DueUser>();
  for (const user of users) byUser.set(user, { user, items: [], preferences: NO_PREFERENCES, email: null, subscriptions: [] });
  for (const r of items) byUser.get(r.user_id as string)!.items.push(toItem(r));
  for (const r of prefs) byUser.get(r.user_id as string)!.preferences = r.prefs as StoredPreferences;
  for (const r of emails) byUser.get(r.user_id as string)!.email = (r.email as string | null) ?? null;
  for (const r of subs) byUser.get(r.user_id as string)!.subscriptions.push({ endpoint: r.endpoint as string, p256dh: r.p256dh as string, auth: r.auth as string });
  return [...byUser.values()];
}

function toItem(r: Row): DigestItem {
  return { id: r.id as string, seq: Number(r.seq), kind: r.kind as string, data: r.data as Record<string, unknown>, createdAt: (r.created_at as Date).toISOString() };
}
