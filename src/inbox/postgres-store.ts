/**
 * `PostgresInboxStore`: the inbox on PostgreSQL (`pg` Pool), for several Tidings processes sharing one
 * database.
 *
 * Writes go through group commit: the adds queued while a batch commits are stored together in the next
 * transaction, one batch at a time per store. Each transaction first locks the counter rows
 * (`inbox_users`) of its users in sorted order; every writer of a user takes that lock first, so seqs are
 * gap-free across processes, a dedupe key is checked without races (no seq is burned by a duplicate), and
 * `unread` always equals the number of unread rows. Connection failures surface quickly as
 * INBOX_UNAVAILABLE and roll the whole transaction back.
 *
 * A failure while COMMIT is in flight is ambiguous (the batch may or may not be stored): callers that retry
 * should set `dedupeKey`, which makes the retry harmless.
 */
import pg from 'pg';
import { TidingsError } from '../errors.js';
import { redactUrl, silentLogger, type Logger } from '../log/index.js';
import { NotificationWrites } from './group-commit.js';
import {
  checkSince,
  checkUserId,
  listBounds,
  readIds,
  type PreparedNotification,
} from './input.js';
import { migratePostgres, quoteIdent } from './migrations.js';
import { postgresStatements, type PostgresStatements } from './postgres-sql.js';
import {
  dedupeMapKey,
  planBatch,
  rowToNotification,
  toPage,
  type BatchPlan,
  type Counter,
  type NotificationRow,
} from './rows.js';
import { closedError, unavailable } from './store-errors.js';
import type { AddResult, InboxCounts, InboxStore, ListQuery, NewNotification, Notification, Page } from './types.js';
import { inTransaction } from './pg-transaction.js';

/** Options of {@link createPostgresInboxStore}. */
export interface PostgresInboxStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Schema holding the tables, created if missing. Letters, digits and `_`. Default `public`. */
  schema?: string;
  /** Most connections. Default 10. */
  poolSize?: number;
  logger?: Logger;
  /** How long to wait for a new connection before failing with INBOX_UNAVAILABLE, in ms. Default 3000. */
  connectTimeoutMs?: number;
  /** How long a query may take before failing with INBOX_UNAVAILABLE, in ms. Default 10000. */
  queryTimeoutMs?: number;
  /** Most notifications per transaction. Default 1000. */
  maxBatch?: number;
  /** Most notifications waiting for a commit before `add` rejects with INBOX_UNAVAILABLE. Default 10000. */
  maxPending?: number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

type Client = pg.PoolClient;

/** The PostgreSQL inbox. Build it with {@link createPostgresInboxStore}, which also runs the migrations. */
export class PostgresInboxStore implements InboxStore {
  private readonly sql: PostgresStatements;
  private readonly writes: NotificationWrites;
  private readonly log: Logger;
  private closing: Promise<void> | undefined;
  private readonly guarded = new WeakSet<Client>();

  /** Wrap a pool whose `schema` is migrated; the store owns the pool from now on and ends it in `close()`. */
  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    options: Pick<PostgresInboxStoreOptions, 'logger' | 'maxBatch' | 'maxPending'> = {},
  ) {
    this.log = options.logger ?? silentLogger();
    this.schema = schema;
    this.sql = postgresStatements(quoteIdent(schema));
    this.writes = new NotificationWrites((items) => this.transaction('add', (c) => this.commitBatch(c, items)), {
      maxBatch: options.maxBatch ?? 1000,
      maxPending: options.maxPending ?? 10_000,
    });
  }

  /** The schema holding the tables. */
  readonly schema: string;

  /**
   * The pool, for modules that keep their own tables in the inbox database (`src/reach`). They must not
   * write the inbox tables; the store still owns and ends it.
   */
  get database(): pg.Pool {
    return this.pool;
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
    const text = b.unreadOnly ? this.sql.listUnread : this.sql.list;
    const rows = await this.query<NotificationRow>('list', text, [userId, b.before, b.limit + 1]);
    return toPage(rows, b.limit);
  }

  async since(userId: string, seq: number, limit: number): Promise<Notification[]> {
    checkUserId(userId);
    checkSince(seq, limit);
    if (limit === 0) return [];
    const rows = await this.query<NotificationRow>('since', this.sql.since, [userId, seq, limit]);
    return rows.map(rowToNotification);
  }

  async markRead(userId: string, ids: readonly string[]): Promise<number> {
    checkUserId(userId);
    const unique = readIds(ids);
    if (unique.length === 0) return 0;
    return this.mark('markRead', userId, this.sql.markRead, [unique]);
  }

  async markAllRead(userId: string): Promise<number> {
    checkUserId(userId);
    return this.mark('markAllRead', userId, this.sql.markAllRead, []);
  }

  async markUnread(userId: string, ids: readonly string[]): Promise<number> {
    checkUserId(userId);
    const unique = readIds(ids);
    if (unique.length === 0) return 0;
    return this.locked('markUnread', userId, this.sql.markUnread, [userId, unique]);
  }

  async archive(userId: string, ids: readonly string[]): Promise<number> {
    checkUserId(userId);
    const unique = readIds(ids);
    if (unique.length === 0) return 0;
    return this.mark('archive', userId, this.sql.archive, [unique]);
  }

  async archiveRead(userId: string): Promise<number> {
    checkUserId(userId);
    return this.mark('archiveRead', userId, this.sql.archiveRead, []);
  }

  async unreadCount(userId: string): Promise<number> {
    return (await this.counts(userId)).unread;
  }

  async counts(userId: string): Promise<InboxCounts> {
    checkUserId(userId);
    const [row] = await this.query<{ last_seq: string; unread: string; rev: string }>('counts', this.sql.counts, [userId]);
    return { unread: Number(row?.unread ?? 0), seq: Number(row?.last_seq ?? 0), rev: Number(row?.rev ?? 0) };
  }

  async ping(): Promise<boolean> {
    if (this.closing !== undefined) return false;
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    this.closing ??= this.writes.close().then(() => this.pool.end());
    return this.closing;
  }

  private async commitBatch(c: Client, items: readonly PreparedNotification[]): Promise<AddResult[]> {
    const users = [...new Set(items.map((i) => i.userId))].sort();
    const locked = await c.query<{ user_id: string; last_seq: string; unread: string }>(this.sql.lockUsers, [users]);
    const counters = new Map<string, Counter>();
    for (const r of locked.rows) counters.set(r.user_id, { lastSeq: Number(r.last_seq), unread: Number(r.unread) });
    const existing = await this.findDuplicates(c, items);
    const plan = planBatch(items, counters, (userId, key) => existing.get(dedupeMapKey(userId, key)));
    if (plan.inserts.length > 0) await c.query(this.sql.insertBatch, insertParams(plan));
    return plan.results;
  }

  private async findDuplicates(c: Client, items: readonly PreparedNotification[]): Promise<Map<string, Notification>> {
    const found = new Map<string, Notification>();
    const keyed = items.filter((i) => i.dedupeKey !== null);
    if (keyed.length === 0) return found;
    const params = [keyed.map((i) => i.userId), keyed.map((i) => i.dedupeKey)];
    const { rows } = await c.query<NotificationRow>(this.sql.byDedupe, params);
    for (const row of rows) found.set(dedupeMapKey(row.user_id, row.dedupe_key!), rowToNotification(row));
    return found;
  }

  private mark(operation: string, userId: string, text: string, extra: unknown[]): Promise<number> {
    return this.locked(operation, userId, text, [userId, new Date().toISOString(), ...extra]);
  }

  /** Runs `text` (answering `changed`) in a transaction holding the user's counter row. */
  private async locked(operation: string, userId: string, text: string, values: unknown[]): Promise<number> {
    if (this.closing !== undefined) throw closedError();
    return this.transaction(operation, async (c) => {
      // Lock the counter row first, as adds do: without it, two marks of one user could deadlock.
      if ((await c.query(this.sql.lockUser, [userId])).rowCount === 0) return 0;
      const { rows } = await c.query<{ changed: number }>(text, values);
      return rows[0]?.changed ?? 0;
    });
  }

  private async query<R extends pg.QueryResultRow>(operation: string, text: string, values: unknown[]): Promise<R[]> {
    if (this.closing !== undefined) throw closedError();
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (err) {
      throw this.failed(err, operation);
    }
  }

  private transaction<T>(operation: string, fn: (c: Client) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn, (err) => this.failed(err, operation), (client) => this.guardClient(client));
  }

  /**
   * A checked-out client whose connection dies emits 'error' (the running query also rejects); the pool
   * listens only while the client is idle, and an unheard 'error' would crash the process.
   */
  private guardClient(client: Client): void {
    if (this.guarded.has(client)) return;
    this.guarded.add(client);
    client.on('error', (err) => this.log.debug({ err }, 'inbox connection failed'));
  }

  private failed(err: unknown, operation: string): TidingsError {
    this.log.warn({ err, operation }, 'inbox operation failed');
    return unavailable(err, operation);
  }
}

function insertParams(plan: BatchPlan): unknown[] {
  const rows = plan.inserts;
  const counters = [...plan.counters];
  return [
    rows.map((r) => r.notification.id),
    rows.map((r) => r.notification.userId),
    rows.map((r) => r.notification.seq),
    rows.map((r) => r.notification.kind),
    rows.map((r) => r.json),
    rows.map((r) => r.notification.dedupeKey),
    rows[0]!.notification.createdAt,
    counters.map(([userId]) => userId),
    counters.map(([, c]) => c.lastSeq),
    counters.map(([, c]) => c.unread),
  ];
}

function checkOptions(options: PostgresInboxStoreOptions): { schema: string; poolSize: number } {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new TidingsError('CONFIG_INVALID', `inbox schema "${schema}" must be 1-63 letters, digits or _`);
  }
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new TidingsError('CONFIG_INVALID', `inbox poolSize must be a positive integer, got ${poolSize}`);
  }
  return { schema, poolSize };
}

/**
 * Connect to PostgreSQL, create `schema` if needed and run the migrations (safe when several processes
 * start at once).
 * @throws TidingsError CONFIG_INVALID for a bad schema or pool size; INBOX_UNAVAILABLE (naming the URL
 *   without its password) when the database cannot be reached or migrated.
 */
export async function createPostgresInboxStore(options: PostgresInboxStoreOptions): Promise<PostgresInboxStore> {
  const { schema, poolSize } = checkOptions(options);
  const log = (options.logger ?? silentLogger()).child({ module: 'inbox', backend: 'postgres', schema });
  const pool = new pg.Pool({
    connectionString: options.url,
    max: poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
    query_timeout: options.queryTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'tidings',
  });
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', (err) => log.warn({ err }, 'idle inbox connection failed'));
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, schema, log);
      client.release();
    } catch (err) {
      client.release(true);
      throw err;
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    const reason = err instanceof Error ? err.message : String(err);
    const where = redactUrl(options.url);
    const message = `cannot open the PostgreSQL inbox at ${where}: ${reason}`;
    throw new TidingsError('INBOX_UNAVAILABLE', message, { cause: err });
  }
  log.debug({ url: redactUrl(options.url), poolSize }, 'inbox opened');
  return new PostgresInboxStore(pool, schema, { ...options, logger: log });
}
