/**
 * Versioned schema migrations for both backends. Applied versions are recorded in `tidings_migrations`
 * (version, name, applied_at). Running them is idempotent, and safe when several processes start at once:
 * SQLite serialises them with `BEGIN IMMEDIATE`, PostgreSQL with a transaction-scoped advisory lock per
 * schema. A migration is applied in the same transaction as its record, so it is all or nothing.
 * Append new migrations; never edit an applied one.
 */
import type { Database } from 'better-sqlite3';
import type { PoolClient } from 'pg';
import type { Logger } from '../log/index.js';

/** One schema change, written for each backend. */
export interface Migration {
  version: number;
  name: string;
  /** SQLite statements (run with `exec`). */
  sqlite: string;
  /** PostgreSQL statements for the given quoted schema (run as one simple query). */
  postgres: (schema: string) => string;
}

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'inbox',
    // Table names carry an `inbox_` prefix so they cannot clash with an application's own `users` table.
    // SQLite has no index of unread rows: every insert would dirty one more random page (measured: ~40%
    // more CPU per add). `read_floor` bounds the scans instead: every row with seq <= read_floor is read.
    sqlite: `
      CREATE TABLE inbox_users (
        user_id TEXT NOT NULL PRIMARY KEY,
        last_seq INTEGER NOT NULL DEFAULT 0,
        unread INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0),
        read_floor INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE TABLE inbox_notifications (
        id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL,
        dedupe_key TEXT,
        created_at TEXT NOT NULL,
        read_at TEXT
      );
      CREATE UNIQUE INDEX inbox_notifications_user_seq ON inbox_notifications (user_id, seq);
      CREATE UNIQUE INDEX inbox_notifications_dedupe ON inbox_notifications (user_id, dedupe_key)
        WHERE dedupe_key IS NOT NULL;`,
    // json (not jsonb) keeps the text as sent: it accepts \\u0000 and lone surrogates, which jsonb refuses.
    postgres: (s) => `
      CREATE TABLE ${s}.inbox_users (
        user_id text PRIMARY KEY,
        last_seq bigint NOT NULL DEFAULT 0,
        unread bigint NOT NULL DEFAULT 0 CHECK (unread >= 0)
      ) WITH (fillfactor = 70);
      CREATE TABLE ${s}.inbox_notifications (
        id text PRIMARY KEY,
        user_id text NOT NULL,
        seq bigint NOT NULL,
        kind text NOT NULL,
        data json NOT NULL,
        dedupe_key text,
        created_at timestamptz NOT NULL,
        read_at timestamptz,
        CONSTRAINT inbox_notifications_user_seq UNIQUE (user_id, seq)
      );
      CREATE UNIQUE INDEX inbox_notifications_dedupe ON ${s}.inbox_notifications (user_id, dedupe_key)
        WHERE dedupe_key IS NOT NULL;
      CREATE INDEX inbox_notifications_unread ON ${s}.inbox_notifications (user_id, seq) WHERE read_at IS NULL;`,
  },
  {
    version: 2,
    name: 'archive',
    // An archived row is read too (archiving sets read_at when it was unread), so the unread counter and
    // the unread index need no change. No index: lists filter archived rows out of pages they already scan.
    // `rev` counts read-state changes of the user: counts are ordered by (seq, rev) now that one can go up.
    sqlite: `ALTER TABLE inbox_notifications ADD COLUMN archived_at TEXT;
      ALTER TABLE inbox_users ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;`,
    postgres: (s) => `ALTER TABLE ${s}.inbox_notifications ADD COLUMN archived_at timestamptz;
      ALTER TABLE ${s}.inbox_users ADD COLUMN rev bigint NOT NULL DEFAULT 0;`,
  },
  {
    version: 3,
    name: 'reach',
    // Reaching users who are not looking (src/reach/): preferences, contacts, push subscriptions, and the
    // escalation schedule. `reach_pending` is filled by a trigger that src/reach installs only while
    // escalation is on, in the same transaction as the notification; `reach_deliveries` holds each
    // channel's send with its retry state and lease.
    sqlite: `
      CREATE TABLE reach_preferences (user_id TEXT NOT NULL PRIMARY KEY, prefs TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE reach_contacts (user_id TEXT NOT NULL PRIMARY KEY, email TEXT, updated_at TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE reach_push_subscriptions (
        endpoint TEXT NOT NULL PRIMARY KEY, user_id TEXT NOT NULL, p256dh TEXT NOT NULL, auth TEXT NOT NULL, created_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX reach_push_subscriptions_user ON reach_push_subscriptions (user_id);
      CREATE TABLE reach_pending (
        user_id TEXT NOT NULL, seq INTEGER NOT NULL, notification_id TEXT NOT NULL, created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX reach_pending_created ON reach_pending (created_at);
      CREATE TABLE reach_deliveries (
        id TEXT NOT NULL PRIMARY KEY, user_id TEXT NOT NULL, channel TEXT NOT NULL, payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, first_at TEXT NOT NULL, next_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX reach_deliveries_next ON reach_deliveries (next_at);`,
    postgres: (s) => `
      CREATE TABLE ${s}.reach_preferences (user_id text PRIMARY KEY, prefs json NOT NULL, updated_at timestamptz NOT NULL);
      CREATE TABLE ${s}.reach_contacts (user_id text PRIMARY KEY, email text, updated_at timestamptz NOT NULL);
      CREATE TABLE ${s}.reach_push_subscriptions (
        endpoint text PRIMARY KEY, user_id text NOT NULL, p256dh text NOT NULL, auth text NOT NULL, created_at timestamptz NOT NULL
      );
      CREATE INDEX reach_push_subscriptions_user ON ${s}.reach_push_subscriptions (user_id);
      CREATE TABLE ${s}.reach_pending (
        user_id text NOT NULL, seq bigint NOT NULL, notification_id text NOT NULL, created_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, seq)
      );
      CREATE INDEX reach_pending_created ON ${s}.reach_pending (created_at);
      CREATE TABLE ${s}.reach_deliveries (
        id text PRIMARY KEY, user_id text NOT NULL, channel text NOT NULL, payload json NOT NULL,
        attempts integer NOT NULL DEFAULT 0, first_at timestamptz NOT NULL, next_at timestamptz NOT NULL
      );
      CREATE INDEX reach_deliveries_next ON ${s}.reach_deliveries (next_at);`,
  },
];

function pendingAfter(applied: ReadonlySet<number>, log: Logger): Migration[] {
  const newest = Math.max(0, ...applied);
  const known = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  // A newer process may already have migrated further (rolling deploy): keep going, but say so.
  if (newest > known) log.warn({ applied: newest, known }, 'inbox schema is newer than this version knows');
  return MIGRATIONS.filter((m) => !applied.has(m.version));
}

/** Apply pending migrations to a SQLite database. Returns the versions applied. */
export function migrateSqlite(db: Database, log: Logger): number[] {
  const run = db.transaction((): number[] => {
    db.exec(`CREATE TABLE IF NOT EXISTS tidings_migrations (
      version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const rows = db.prepare('SELECT version FROM tidings_migrations').all() as { version: number }[];
    const record = db.prepare('INSERT INTO tidings_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const pending = pendingAfter(new Set(rows.map((r) => r.version)), log);
    for (const m of pending) {
      db.exec(m.sqlite);
      record.run(m.version, m.name, new Date().toISOString());
    }
    return pending.map((m) => m.version);
  });
  const applied = run.immediate();
  if (applied.length > 0) log.info({ versions: applied }, 'inbox migrations applied');
  return applied;
}

/**
 * Apply pending migrations to `schema` (created if missing) on PostgreSQL, holding an advisory lock for the
 * whole transaction so concurrent starters wait for each other instead of racing. Returns the versions
 * applied. The client must not be in a transaction; on failure everything is rolled back.
 */
export async function migratePostgres(client: PoolClient, schema: string, log: Logger): Promise<number[]> {
  const s = quoteIdent(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tidings.migrate.${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.tidings_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.tidings_migrations`);
    const pending = pendingAfter(new Set(rows.map((r) => r.version)), log);
    for (const m of pending) {
      await client.query(m.postgres(s));
      await client.query(`INSERT INTO ${s}.tidings_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
    }
    await client.query('COMMIT');
    if (pending.length > 0) log.info({ schema, versions: pending.map((m) => m.version) }, 'inbox migrations applied');
    return pending.map((m) => m.version);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Quote a PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
