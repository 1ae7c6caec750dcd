/**
 * A fresh PostgreSQL database per run (`tidings_bench_<random>`), created from the test URL's server and
 * dropped afterwards, so runs never see each other's rows and concurrent tests are untouched.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** `url` with its database name replaced by `name`. */
export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Create a database next to `baseUrl`'s, run `fn` with its URL, always drop it. */
export async function withFreshDatabase<T>(baseUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `tidings_bench_${randomBytes(6).toString('hex')}`;
  await admin(baseUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  try {
    return await fn(withDatabaseName(baseUrl, name));
  } finally {
    await admin(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}
