/**
 * PostgreSQL for tests: the shared server at TIDINGS_TEST_DATABASE_URL, with a schema or a database of
 * their own per test (dropped afterwards). A proxy that can cut it: ../proxy/database-proxy.ts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createInboxStore, type InboxStore } from '../../../src/inbox/index.js';
import { skipOrFail } from './skip.js';

export const DATABASE_URL = process.env.TIDINGS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A name no other test or run uses (letters, digits, `_`). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A schema name no other test (or parallel run) uses. */
export function uniqueSchema(label: string): string {
  return uniqueName(`tidings_test_${label}`);
}

/** Run one statement with a fresh connection (to the shared server unless `url` says otherwise). */
export async function adminQuery<R extends pg.QueryResultRow>(text: string, values: unknown[] = [], url = DATABASE_URL): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Drop test schemas (cleanup). */
export async function dropSchemas(schemas: Iterable<string>): Promise<void> {
  for (const schema of schemas) await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** `undefined` when PostgreSQL answers at `url`, else a skip reason (an error under CI=true). */
export async function postgresSkipReason(url = DATABASE_URL): Promise<string | undefined> {
  try {
    await adminQuery('SELECT 1', [], url);
    return undefined;
  } catch (err) {
    return skipOrFail(`PostgreSQL not reachable at ${url} (${(err as Error).message}); set TIDINGS_TEST_DATABASE_URL`);
  }
}

/** A PostgreSQL inbox in a schema of its own; `drop()` removes the schema (close the store first). */
export async function freshPostgresInbox(): Promise<{ inbox: InboxStore; schema: string; drop(): Promise<void> }> {
  const schema = uniqueName('t_notify');
  const inbox = await createInboxStore(DATABASE_URL, { schema });
  return { inbox, schema, drop: () => dropSchemas([schema]) };
}

/**
 * A database of its own, for server processes that take only a URL (the inbox has no schema setting, and
 * it qualifies its tables with the schema, so `search_path` in the URL would not separate them).
 */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueName('t_notify_db');
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined) };
}
