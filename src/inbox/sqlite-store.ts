/**
 * `SqliteInboxStore`: the default inbox, one SQLite file (better-sqlite3) in WAL mode.
 *
 * Writes go through group commit: every `add`/`addMany` made while a batch is being committed, or in the
 * same turn of the event loop, is stored in one `BEGIN IMMEDIATE` transaction. Per-user counters
 * (`inbox_users.last_seq`, `inbox_users.unread`) change in the same transaction as the rows, so seqs have no
 * gaps and `unreadCount` is one primary-key lookup that always equals the number of unread rows. Several
 * processes may share a file: the write lock plus reading the counters inside the transaction keeps seqs
 * correct (busy_timeout makes writers wait for each other).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { TidingsError } from '../errors.js';
import { silentLogger, type Logger } from '../log/index.js';
import { NotificationWrites } from './group-commit.js';
import {
  checkSince,
  checkUserId,
  listBounds,
  readIds,
  type PreparedNotification,
} from './input.js';
import { migrateSqlite } from './migrations.js';
import { prepareStatements, type SqliteStatements } from './sqlite-sql.js';
import { planBatch, rowToNotification, toPage, type Counter } from './rows.js';
import { closedError, unavailable } from './store-errors.js';
import type { AddResult, InboxCounts, InboxStore, ListQuery, NewNotification, Notification, Page } from './types.js';

/** Default database file, relative to the working directory; its directory is created if missing. */
export const DEFAULT_SQLITE_PATH = './data/tidings.db';

/** Options of {@link createSqliteInboxStore}. */
export interface SqliteInboxStoreOptions {
  /** Database file, or `:memory:` (one private database, for tests). Default {@link DEFAULT_SQLITE_PATH}. */
  path?: string;
  logger?: Logger;
  /**
   * `full` (default): a resolved `add` survives a power loss (the WAL is fsynced at every commit; group
   * commit makes that one fsync per batch). `normal`: faster, still atomic and never corrupt, and a process
   * crash loses nothing, but a power loss or OS crash may roll back the last commits before a checkpoint.
   */
  synchronous?: 'full' | 'normal';
  /** How long a write waits for another process holding the lock, in ms. Default 5000. */
  busyTimeoutMs?: number;
  /** Most notifications per transaction. Default 1000. */
  maxBatch?: number;
  /** Most notifications waiting for a commit before `add` rejects with INBOX_UNAVAILABLE. Default 10000. */
  maxPending?: number;
}

/** The SQLite inbox. Build it with {@link createSqliteInboxStore}, which opens and migrates the database. */
export class SqliteInboxStore implements InboxStore {
  private readonly sql: SqliteStatements;
  private readonly writes: NotificationWrites;
  private readonly log: Logger;
  private closing: Promise<void> | undefined;

  /** Wrap an open, migrated database; the store owns it from now on and closes it in `close()`. */
  constructor(
    private readonly db: Database.Database,
    options: Pick<SqliteInboxStoreOptions, 'logger' | 'maxBatch' | 'maxPending'> = {},
  ) {
    this.log = options.logger ?? silentLogger();
    this.sql = prepareStatements(db);
    const commitBatch = db.transaction((items: readonly PreparedNotification[]) => this.commitBatch(items));
    this.writes = new NotificationWrites((items) => this.guard('add', () => commitBatch.immediate(items)), {
      maxBatch: options.maxBatch ?? 1000,
      maxPending: options.maxPending ?? 10_000,
    });
  }

  /**
   * The open database, for modules that keep their own tables in the inbox database (`src/reach`). They
   * must not write the inbox tables; the store still owns and closes it.
   */
  get database(): Database.Database {
    return this.db;
  }

  add(n: NewNotification): Promise<AddResult> {
    return this.writes.add(n);
  }

  addMany(ns: readonly NewNotification[]): Promise<AddResult[]> {
    return this.writes.addMany(ns);
  }

  async list(userId: string, q?: ListQuery): Promise<Page<Notification>> {
    checkUserId(userId);
    const b = listBounds(q);
    const rows = this.read('list', () =>
      b.unreadOnly
        ? this.sql.listUnread.all(userId, b.before, userId, b.limit + 1)
        : this.sql.list.all(userId, b.before, b.limit + 1),
    );
    return toPage(rows, b.limit);
  }

  async since(userId: string, seq: number, limit: number): Promise<Notification[]> {
    checkUserId(userId);
    checkSince(seq, limit);
    if (limit === 0) return [];
    return this.read('since', () => this.sql.since.all(userId, seq, limit)).map(rowToNotification);
  }

  async markRead(userId: string, ids: readonly string[]): Promise<number> {
    checkUserId(userId);
    const unique = readIds(ids);
    if (unique.length === 0) return 0;
    const json = JSON.stringify(unique);
    return this.markWith('markRead', userId, (now) => this.sql.markRead.run(now, userId, json).changes);
  }

  async markAllRead(userId: string): Promise<number> {
    checkUserId(userId);
    return this.markWith('markAllRead', userId, (now) => this.sql.markAllRead.run(now, userId, userId).changes);
  }

  async markUnread(userId: string, ids: readonly string[]): Promise<number> {
    checkUserId(userId);
    const json = JSON.stringify(readIds(ids));
    return this.inTransaction('markUnread', () => {
      const seqs = this.sql.readChosen.all(userId, json).map((r) => r.seq);
      if (seqs.length === 0) return 0;
      const changed = this.sql.unmark.run(userId, json).changes;
      this.sql.incrementUnread.run({ changed, lowest: Math.min(...seqs), userId });
      return changed;
    });
  }

  async archive(userId: string, ids: readonly string[]): Promise<number> {
    checkUserId(userId);
    const json = JSON.stringify(readIds(ids));
    return this.inTransaction('archive', () => {
      const unread = this.sql.unreadChosen.get(userId, json)?.n ?? 0;
      const now = new Date().toISOString();
      const changed = this.sql.archive.run(now, now, userId, json).changes;
      if (unread > 0) this.sql.decrementUnread.run({ changed: unread, userId });
      return changed;
    });
  }

  async archiveRead(userId: string): Promise<number> {
    checkUserId(userId);
    return this.inTransaction('archiveRead', () => this.sql.archiveRead.run(new Date().toISOString(), userId).changes);
  }

  async unreadCount(userId: string): Promise<number> {
    return (await this.counts(userId)).unread;
  }

  async counts(userId: string): Promise<InboxCounts> {
    checkUserId(userId);
    const row = this.read('counts', () => this.sql.counter.get(userId));
    return { unread: row?.unread ?? 0, seq: row?.last_seq ?? 0, rev: row?.rev ?? 0 };
  }

  async ping(): Promise<boolean> {
    if (this.closing !== undefined) return false;
    try {
      return this.sql.ping.get() !== undefined;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    this.closing ??= this.writes.close().then(() => {
      this.db.close();
    });
    return this.closing;
  }

  private commitBatch(items: readonly PreparedNotification[]): AddResult[] {
    const counters = new Map<string, Counter>();
    for (const item of items) {
      if (counters.has(item.userId)) continue;
      const row = this.sql.counter.get(item.userId);
      if (row !== undefined) counters.set(item.userId, { lastSeq: row.last_seq, unread: row.unread });
    }
    const find = (userId: string, key: string): Notification | undefined => {
      const row = this.sql.byDedupe.get(userId, key);
      return row === undefined ? undefined : rowToNotification(row);
    };
    const plan = planBatch(items, counters, find);
    for (const { notification: n, json } of plan.inserts) {
      this.sql.insert.run(n.id, n.userId, n.seq, n.kind, json, n.dedupeKey, n.createdAt);
    }
    for (const [userId, c] of plan.counters) this.sql.putCounter.run(userId, c.lastSeq, c.unread);
    return plan.results;
  }

  private markWith(operation: string, userId: string, update: (now: string) => number): number {
    return this.inTransaction(operation, () => {
      const changed = update(new Date().toISOString());
      if (changed > 0) this.sql.decrementUnread.run({ changed, userId });
      return changed;
    });
  }

  /** Runs `fn` in an immediate (write-locked) transaction. */
  private inTransaction(operation: string, fn: () => number): number {
    return this.read(operation, () => this.db.transaction(fn).immediate());
  }

  /** Run a direct (not group-committed) operation; refused once `close()` was called. */
  private read<T>(operation: string, fn: () => T): T {
    if (this.closing !== undefined) throw closedError();
    return this.guard(operation, fn);
  }

  private guard<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      const error = unavailable(err, operation);
      this.log.warn({ err, operation }, 'inbox operation failed');
      throw error;
    }
  }
}

/**
 * Open (creating the file and its directory if needed), configure (WAL, busy_timeout, synchronous) and
 * migrate a SQLite inbox.
 * @throws TidingsError INBOX_UNAVAILABLE naming the path when the file cannot be created or opened.
 */
/**
 * Run `fn` again while SQLite answers "database is locked" without waiting itself (switching a new file to
 * WAL while another process opens it), for up to `ms`: processes started together on one file all start.
 */
function whileLocked<T>(fn: () => T, ms: number): T {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof Error && /database is locked/.test(err.message)) || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // start-up only: a short synchronous pause
    }
  }
}

export function createSqliteInboxStore(options: SqliteInboxStoreOptions = {}): SqliteInboxStore {
  const path = options.path ?? DEFAULT_SQLITE_PATH;
  const log = (options.logger ?? silentLogger()).child({ module: 'inbox', backend: 'sqlite' });
  let db: Database.Database | undefined;
  try {
    const memory = path === ':memory:' || path === '';
    if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
    db = new Database(path);
    const busyMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000));
    db.pragma(`busy_timeout = ${busyMs}`);
    const open = db;
    const mode = whileLocked(() => open.pragma('journal_mode = WAL', { simple: true }), busyMs);
    if (!memory && mode !== 'wal') log.warn({ path, mode }, 'sqlite could not switch to WAL mode');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('journal_size_limit = 67108864');
    // Checkpoint every ~40 MiB of WAL rather than 4 MiB: each batch dirties about one page per row.
    db.pragma('wal_autocheckpoint = 10000');
    whileLocked(() => migrateSqlite(open, log), busyMs);
  } catch (err) {
    db?.close();
    const reason = err instanceof Error ? err.message : String(err);
    throw new TidingsError('INBOX_UNAVAILABLE', `cannot open the SQLite inbox at ${path}: ${reason}`, { cause: err });
  }
  log.debug({ path, synchronous: options.synchronous ?? 'full' }, 'inbox opened');
  return new SqliteInboxStore(db, { ...options, logger: log });
}
