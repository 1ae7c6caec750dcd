/** Two `tidings serve` processes joined by Redis and sharing a PostgreSQL database: the multi-process set-up. */
import { after, before } from 'node:test';
import type { TestSocket } from '../../src/testing/index.js';
import { freshPostgresDatabase } from './services/postgres.js';
import { deleteKeysStartingWith } from './services/redis.js';
import { openTab, startTestServe, type ServerProcess } from './tidings.js';

/** What {@link twoProcesses} started. */
export interface ProcessPair {
  a: ServerProcess;
  b: ServerProcess;
  db: { url: string; drop(): Promise<void> };
}

/**
 * In a `describe`: before its tests, a PostgreSQL database of its own and two `tidings serve --env test`
 * processes started with `args(databaseUrl)` (which name the Redis and `prefix`), handed to `use`; after
 * them, the sockets opened with the returned `connect` are closed, the processes stopped, the database
 * dropped and every Redis key under `prefix` deleted. `connect` opens `/inform/` as a user and awaits hello.
 */
export function twoProcesses(prefix: string, args: (databaseUrl: string) => string[], use: (pair: ProcessPair) => void): (server: ServerProcess, user: string) => Promise<TestSocket> {
  const open: TestSocket[] = [];
  let pair: Partial<ProcessPair> = {};
  before(async () => {
    const db = await freshPostgresDatabase();
    pair = { db };
    const [a, b] = await Promise.all([startTestServe(args(db.url)), startTestServe(args(db.url))]);
    pair = { db, a, b };
    use({ db, a, b });
  });
  after(async () => {
    for (const s of open) s.close();
    await Promise.all([pair.a?.stop(), pair.b?.stop()]);
    await pair.db?.drop();
    await deleteKeysStartingWith(prefix);
  });
  return (server, user) => openTab(server, user, open);
}
