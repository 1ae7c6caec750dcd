/**
 * Reading an inbox database directly (not through Tidings), to hold the server's answers against the rows:
 * a SQLite file (read-only connection) or a PostgreSQL database (tables in its `public` schema, where
 * `tidings serve` puts them).
 */
import Database from 'better-sqlite3';
import pg from 'pg';

/** One user's rows and counters as stored. */
export interface StoredUser {
  /** Notifications stored. */
  rows: number;
  /** Of which unread (`read_at IS NULL`). */
  unreadRows: number;
  /** The user's unread counter (`inbox_users.unread`). */
  unreadCounter: number;
  /** Dedupe keys stored more than once. */
  duplicateKeys: number;
  /** Seqs stored more than once, or missing between 1 and the highest. */
  seqProblems: number;
}

const QUERIES = {
  rows: 'SELECT count(*) AS n FROM inbox_notifications WHERE user_id = $1',
  unreadRows: 'SELECT count(*) AS n FROM inbox_notifications WHERE user_id = $1 AND read_at IS NULL',
  unreadCounter: 'SELECT coalesce(max(unread), 0) AS n FROM inbox_users WHERE user_id = $1',
  duplicateKeys:
    'SELECT count(*) AS n FROM (SELECT dedupe_key FROM inbox_notifications WHERE user_id = $1 AND dedupe_key IS NOT NULL GROUP BY dedupe_key HAVING count(*) > 1) d',
  seqProblems: 'SELECT coalesce(max(seq), 0) - count(DISTINCT seq) + (count(*) - count(DISTINCT seq)) AS n FROM inbox_notifications WHERE user_id = $1',
} as const;

/** What the database at `url` (`sqlite:<file>` or `postgres://…`) holds for `user`. */
export async function storedUser(url: string, user: string): Promise<StoredUser> {
  const out: Record<string, number> = {};
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    try {
      // One read transaction: every count sees the same snapshot.
      db.transaction(() => {
        for (const [name, sql] of Object.entries(QUERIES)) out[name] = Number((db.prepare(sql.replace('$1', '?')).get(user) as { n: number }).n);
      })();
    } finally {
      db.close();
    }
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      for (const [name, sql] of Object.entries(QUERIES)) out[name] = Number((await client.query<{ n: string }>(sql, [user])).rows[0]?.n);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  }
  return out as unknown as StoredUser;
}

/** The seqs of `user`'s stored notifications, ascending, in the database at `url` (as {@link storedUser}). */
export async function storedSeqs(url: string, user: string): Promise<number[]> {
  const sql = 'SELECT seq FROM inbox_notifications WHERE user_id = $1 ORDER BY seq';
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(sql.replace('$1', '?')).all(user) as Array<{ seq: number }>).map((r) => Number(r.seq));
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ seq: string }>(sql, [user])).rows.map((r) => Number(r.seq));
  } finally {
    await client.end();
  }
}
