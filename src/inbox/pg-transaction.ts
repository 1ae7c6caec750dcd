/**
 * One transaction on a pooled PostgreSQL connection, for the inbox and for modules with their own tables in
 * the inbox database (`src/reach`). Any failure, connecting included, goes through `failed` (which maps it to
 * the caller's error); a failed transaction's connection is destroyed, so the server rolls back whatever the
 * transaction did and the pool never reuses a connection in an unknown state.
 */
import type pg from 'pg';

export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  failed: (err: unknown) => Error,
  onConnect?: (client: pg.PoolClient) => void,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw failed(err);
  }
  onConnect?.(client);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (err) {
    client.release(true);
    throw failed(err);
  }
}
