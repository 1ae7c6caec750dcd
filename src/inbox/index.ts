/**
 * The inbox folder's public face: the {@link InboxStore} contract, both backends, and
 * {@link createInboxStore}, which picks the backend from a database URL.
 */
import { TidingsError } from '../errors.js';
import { redactUrl, type Logger } from '../log/index.js';
import type { NotificationView } from '../protocol/index.js';
import { createPostgresInboxStore } from './postgres-store.js';
import { createSqliteInboxStore } from './sqlite-store.js';
import type { InboxStore, Notification } from './types.js';

export type * from './types.js';
export { SqliteInboxStore, createSqliteInboxStore, DEFAULT_SQLITE_PATH } from './sqlite-store.js';
export type { SqliteInboxStoreOptions } from './sqlite-store.js';
export { PostgresInboxStore, createPostgresInboxStore } from './postgres-store.js';
export type { PostgresInboxStoreOptions } from './postgres-store.js';
export { MIGRATIONS } from './migrations.js';
export type { Migration } from './migrations.js';
export { checkUserId } from './input.js';

/** Options of {@link createInboxStore}; each applies to the backends that know it. */
export interface InboxStoreOptions {
  logger?: Logger;
  /** PostgreSQL schema (default `public`). */
  schema?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** SQLite durability, see {@link SqliteInboxStoreOptions.synchronous} (default `full`). */
  synchronous?: 'full' | 'normal';
}

/** The database URL schemes {@link createInboxStore} understands. */
export const INBOX_URL_FORMS = 'sqlite:<path>, sqlite::memory: or postgres://user@host:port/database';

/**
 * Open the inbox named by `url` and run its migrations:
 * - `sqlite:./data/tidings.db` (relative), `sqlite:/var/lib/tidings.db` or `sqlite:///var/lib/tidings.db`
 *   (absolute), `sqlite::memory:` (private, for tests);
 * - `postgres://…` or `postgresql://…`.
 * @throws TidingsError CONFIG_INVALID for an unknown scheme or an empty path; INBOX_UNAVAILABLE when the
 *   database cannot be opened.
 */
export async function createInboxStore(url: string, options: InboxStoreOptions = {}): Promise<InboxStore> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    return createSqliteInboxStore({ path: sqlitePath(url), logger: options.logger, synchronous: options.synchronous });
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const { schema, poolSize, logger } = options;
    return createPostgresInboxStore({ url, schema, poolSize, logger });
  }
  const shown = redactUrl(url);
  throw new TidingsError('CONFIG_INVALID', `unsupported inbox database URL "${shown}": use ${INBOX_URL_FORMS}`);
}

function sqlitePath(url: string): string {
  let path = url.slice('sqlite:'.length);
  if (path.startsWith('//')) path = path.slice(2);
  if (path === '') {
    throw new TidingsError('CONFIG_INVALID', `inbox database URL "${url}" has no path: use ${INBOX_URL_FORMS}`);
  }
  return path;
}

/** The wire and HTTP shape of a stored notification (drops `userId` and `dedupeKey`). */
export function toView(n: Notification): NotificationView {
  return { id: n.id, seq: n.seq, kind: n.kind, data: n.data, createdAt: n.createdAt, readAt: n.readAt };
}
