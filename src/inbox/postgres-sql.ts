/**
 * SQL of the PostgreSQL inbox, built once per schema. Batches travel as arrays (`unnest`), so a group
 * commit of any size is a fixed number of round trips: lock counters, look up dedupe keys, insert + count.
 */
import { NOTIFICATION_COLUMNS } from './rows.js';

/** Every statement of {@link PostgresInboxStore}, for the quoted schema `s`. */
export function postgresStatements(s: string) {
  const n = `${s}.inbox_notifications`;
  const u = `${s}.inbox_users`;
  const cols = NOTIFICATION_COLUMNS;
  const joined = cols
    .split(', ')
    .map((c) => `n.${c}`)
    .join(', ');
  const page = `SELECT ${cols} FROM ${n} WHERE user_id = $1 AND seq < $2 AND archived_at IS NULL`;
  // Rows and counter change in one statement; the caller has locked the counter row first.
  const mark = (only: string) => `WITH r AS (
      UPDATE ${n} SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL${only} RETURNING 1
    ), c AS (SELECT count(*)::int AS changed FROM r),
    d AS (UPDATE ${u} SET unread = unread - c.changed, rev = rev + 1 FROM c WHERE user_id = $1 AND c.changed > 0)
    SELECT changed FROM c`;
  return {
    /**
     * Create missing counter rows and lock all of them, in the (sorted) order given, so concurrent batches
     * cannot deadlock. Every writer of a user locks this row first: seqs and the dedupe check are serialised.
     */
    lockUsers: `INSERT INTO ${u} AS c (user_id) SELECT unnest($1::text[])
      ON CONFLICT (user_id) DO UPDATE SET last_seq = c.last_seq RETURNING user_id, last_seq, unread`,
    lockUser: `SELECT 1 FROM ${u} WHERE user_id = $1 FOR UPDATE`,
    byDedupe: `SELECT ${joined} FROM ${n} n
      JOIN unnest($1::text[], $2::text[]) AS k(user_id, dedupe_key)
        ON n.user_id = k.user_id AND n.dedupe_key = k.dedupe_key
      WHERE n.dedupe_key IS NOT NULL`,
    insertBatch: `WITH ins AS (
        INSERT INTO ${n} (id, user_id, seq, kind, data, dedupe_key, created_at)
        SELECT id, user_id, seq, kind, data::json, dedupe_key, $7::timestamptz
        FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])
          AS t(id, user_id, seq, kind, data, dedupe_key)
      )
      UPDATE ${u} AS c SET last_seq = v.last_seq, unread = v.unread
      FROM unnest($8::text[], $9::bigint[], $10::bigint[]) AS v(user_id, last_seq, unread)
      WHERE c.user_id = v.user_id`,
    list: `${page} ORDER BY seq DESC LIMIT $3`,
    listUnread: `${page} AND read_at IS NULL ORDER BY seq DESC LIMIT $3`,
    since: `SELECT ${cols} FROM ${n} WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    markRead: mark(' AND id = ANY($3::text[])'),
    markAllRead: mark(''),
    /** $1 user, $2 ids: read rows back to unread, the counter up by as many. */
    markUnread: `WITH r AS (
        UPDATE ${n} SET read_at = NULL
        WHERE user_id = $1 AND read_at IS NOT NULL AND archived_at IS NULL AND id = ANY($2::text[]) RETURNING 1
      ), c AS (SELECT count(*)::int AS changed FROM r),
      d AS (UPDATE ${u} SET unread = unread + c.changed, rev = rev + 1 FROM c WHERE user_id = $1 AND c.changed > 0)
      SELECT changed FROM c`,
    /** $1 user, $2 now, $3 ids: archived (and read, if they were not), the counter down by the unread ones. */
    archive: `WITH old AS (
        SELECT id, read_at IS NULL AS was_unread FROM ${n}
        WHERE user_id = $1 AND archived_at IS NULL AND id = ANY($3::text[]) FOR UPDATE
      ), r AS (
        UPDATE ${n} AS t SET archived_at = $2, read_at = COALESCE(t.read_at, $2) FROM old WHERE t.id = old.id
        RETURNING old.was_unread
      ), c AS (SELECT count(*)::int AS changed, (count(*) FILTER (WHERE was_unread))::int AS dropped FROM r),
      d AS (UPDATE ${u} SET unread = unread - c.dropped, rev = rev + 1 FROM c WHERE user_id = $1 AND c.dropped > 0)
      SELECT changed FROM c`,
    /** $1 user, $2 now. */
    archiveRead: `WITH r AS (
        UPDATE ${n} SET archived_at = $2 WHERE user_id = $1 AND archived_at IS NULL AND read_at IS NOT NULL RETURNING 1
      ) SELECT count(*)::int AS changed FROM r`,
    counts: `SELECT last_seq, unread, rev FROM ${u} WHERE user_id = $1`,
  };
}

/** The statements of one schema. */
export type PostgresStatements = ReturnType<typeof postgresStatements>;
