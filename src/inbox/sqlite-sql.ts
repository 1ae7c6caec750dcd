/**
 * SQL of the SQLite inbox, prepared once per database (better-sqlite3 statements). The PostgreSQL
 * counterpart is postgres-sql.ts.
 */
import Database from 'better-sqlite3';
import { NOTIFICATION_COLUMNS, type NotificationRow } from './rows.js';

/** A notification row as SQLite returns it. */
export type Row = NotificationRow & { data: string; seq: number; created_at: string; read_at: string | null };

/** The prepared statements of {@link SqliteInboxStore}. */
export interface SqliteStatements {
  counter: Database.Statement<[string], { last_seq: number; unread: number; rev: number }>;
  putCounter: Database.Statement<[string, number, number]>;
  byDedupe: Database.Statement<[string, string], Row>;
  insert: Database.Statement<[string, string, number, string, string, string | null, string]>;
  list: Database.Statement<[string, number, number], Row>;
  listUnread: Database.Statement<[string, number, string, number], Row>;
  since: Database.Statement<[string, number, number], Row>;
  markRead: Database.Statement<[string, string, string]>;
  markAllRead: Database.Statement<[string, string, string]>;
  decrementUnread: Database.Statement<{ changed: number; userId: string }>;
  readChosen: Database.Statement<[string, string], { seq: number }>;
  unmark: Database.Statement<[string, string]>;
  incrementUnread: Database.Statement<{ changed: number; lowest: number; userId: string }>;
  unreadChosen: Database.Statement<[string, string], { n: number }>;
  archive: Database.Statement<[string, string, string, string]>;
  archiveRead: Database.Statement<[string, string]>;
  ping: Database.Statement<unknown[]>;
}

/** Every statement of {@link SqliteInboxStore}, prepared on `db`. */
export function prepareStatements(db: Database.Database): SqliteStatements {
  const cols = NOTIFICATION_COLUMNS;
  const page = `SELECT ${cols} FROM inbox_notifications WHERE user_id = ? AND seq < ? AND archived_at IS NULL`;
  const chosen = '+user_id = ? AND id IN (SELECT value FROM json_each(?))';
  // Rows at or below the user's read_floor are all read: unread scans start above it.
  const floor = '(SELECT read_floor FROM inbox_users WHERE user_id = ?)';
  return {
    counter: db.prepare<[string], { last_seq: number; unread: number; rev: number }>(
      'SELECT last_seq, unread, rev FROM inbox_users WHERE user_id = ?',
    ),
    putCounter: db.prepare<[string, number, number]>(
      `INSERT INTO inbox_users (user_id, last_seq, unread) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET last_seq = excluded.last_seq, unread = excluded.unread`,
    ),
    byDedupe: db.prepare<[string, string], Row>(
      `SELECT ${cols} FROM inbox_notifications WHERE user_id = ? AND dedupe_key = ?`,
    ),
    insert: db.prepare<[string, string, number, string, string, string | null, string]>(
      `INSERT INTO inbox_notifications (id, user_id, seq, kind, data, dedupe_key, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    list: db.prepare<[string, number, number], Row>(`${page} ORDER BY seq DESC LIMIT ?`),
    listUnread: db.prepare<[string, number, string, number], Row>(
      `${page} AND seq > ${floor} AND read_at IS NULL ORDER BY seq DESC LIMIT ?`,
    ),
    since: db.prepare<[string, number, number], Row>(
      `SELECT ${cols} FROM inbox_notifications WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    // `+user_id` keeps the planner on the id index (a few rows) rather than on the user's rows (many).
    markRead: db.prepare<[string, string, string]>(
      `UPDATE inbox_notifications SET read_at = ?
       WHERE +user_id = ? AND read_at IS NULL AND id IN (SELECT value FROM json_each(?))`,
    ),
    markAllRead: db.prepare<[string, string, string]>(
      `UPDATE inbox_notifications SET read_at = ? WHERE user_id = ? AND seq > ${floor} AND read_at IS NULL`,
    ),
    // When nothing is left unread, every row up to last_seq is read: raise the floor.
    decrementUnread: db.prepare<{ changed: number; userId: string }>(
      `UPDATE inbox_users SET unread = unread - :changed, rev = rev + 1,
         read_floor = CASE WHEN unread = :changed THEN last_seq ELSE read_floor END
       WHERE user_id = :userId`,
    ),
    // Mark unread: the rows' seqs first (the floor must drop below the lowest), then the rows.
    readChosen: db.prepare<[string, string], { seq: number }>(
      `SELECT seq FROM inbox_notifications WHERE ${chosen} AND read_at IS NOT NULL AND archived_at IS NULL`,
    ),
    unmark: db.prepare<[string, string]>(
      `UPDATE inbox_notifications SET read_at = NULL WHERE ${chosen} AND read_at IS NOT NULL AND archived_at IS NULL`,
    ),
    incrementUnread: db.prepare<{ changed: number; lowest: number; userId: string }>(
      `UPDATE inbox_users SET unread = unread + :changed, rev = rev + 1, read_floor = MIN(read_floor, :lowest - 1) WHERE user_id = :userId`,
    ),
    unreadChosen: db.prepare<[string, string], { n: number }>(
      `SELECT count(*) AS n FROM inbox_notifications WHERE ${chosen} AND read_at IS NULL AND archived_at IS NULL`,
    ),
    archive: db.prepare<[string, string, string, string]>(
      `UPDATE inbox_notifications SET archived_at = ?, read_at = COALESCE(read_at, ?) WHERE ${chosen} AND archived_at IS NULL`,
    ),
    archiveRead: db.prepare<[string, string]>(
      `UPDATE inbox_notifications SET archived_at = ? WHERE user_id = ? AND archived_at IS NULL AND read_at IS NOT NULL`,
    ),
    ping: db.prepare('SELECT 1'),
  };
}
