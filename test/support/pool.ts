/**
 * A pool of `tidings serve` processes sharing one inbox database and one Redis, as deployed behind a load
 * balancer: the shared Redis (a key prefix of its own) or a PRIVATE redis-server on a free port (which a
 * test may stop, restart or CLIENT KILL), each process optionally reaching Redis through its own TCP proxy
 * (which a test may partition), and the shared PostgreSQL (a database of its own) or a SQLite file.
 * Everything is removed by `close()`; the machine's shared services are never stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteKeys, PrivateRedis, rawClient, REDIS_URL } from './services/redis.js';
import { freePort } from './ports.js';
import { freshPostgresDatabase, uniqueName } from './services/postgres.js';
import { startTestServe, type ServerProcess } from './tidings.js';
import { startTcpProxy, type TcpProxy } from './proxy/tcp-proxy.js';

export interface PoolOptions {
  /** Number of processes. */
  size: number;
  /** `private`: a redis-server of the pool's own; `shared`: TIDINGS_TEST_REDIS_URL. */
  redis: 'private' | 'shared';
  /** Each process reaches Redis through a proxy of its own (`proxies[i]`). Private Redis only. */
  redisProxies?: boolean;
  database: 'postgres' | 'sqlite';
  /** More flags for every process. */
  args?: readonly string[];
  /** The database URL the processes use, given the pool's (e.g. through a delaying proxy). */
  databaseUrlFor?: (url: string) => Promise<string>;
}

export interface Pool {
  readonly procs: ServerProcess[];
  /** Per process, when `redisProxies`. */
  readonly proxies: TcpProxy[];
  /** The private Redis, when `redis: 'private'`. */
  readonly redis: PrivateRedis | undefined;
  /** URL of the private Redis itself (not through a proxy), or the shared one. */
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** Start process `i` again (after it stopped), with the same settings; replaces `procs[i]`. */
  restart(i: number): Promise<ServerProcess>;
  close(): Promise<void>;
}

/** Start a pool; see {@link PoolOptions}. */
export async function startPool(options: PoolOptions): Promise<Pool> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    let redis: PrivateRedis | undefined;
    let redisUrl = REDIS_URL;
    const prefix = uniqueName('t-fault').replace(/_/g, '-');
    if (options.redis === 'private') {
      redis = new PrivateRedis(await freePort());
      await redis.start();
      cleanups.push(() => redis?.stop());
      redisUrl = redis.url;
    } else {
      cleanups.push(async () => {
        const client = rawClient();
        await deleteKeys(client, prefix);
        client.disconnect();
      });
    }
    const databaseUrl = await database(options.database, cleanups);
    const procDatabaseUrl = options.databaseUrlFor ? await options.databaseUrlFor(databaseUrl) : databaseUrl;
    const proxies: TcpProxy[] = [];
    if (options.redisProxies && redis) {
      for (let i = 0; i < options.size; i++) proxies.push(await startTcpProxy([redis.port]));
      cleanups.push(async () => void (await Promise.all(proxies.map((p) => p.close()))));
    }
    const argsFor = (i: number) => [
      '--redis-url', proxies[i] ? `redis://127.0.0.1:${proxies[i].port}` : redisUrl,
      '--layer-prefix', prefix,
      '--database-url', procDatabaseUrl,
      '--max-connections-per-user', '1000',
      ...(options.args ?? []),
    ];
    const procs = await Promise.all(Array.from({ length: options.size }, (_, i) => startTestServe(argsFor(i))));
    cleanups.push(async () => void (await Promise.all(procs.map((p) => p.stop('SIGKILL')))));
    return {
      procs,
      proxies,
      redis,
      redisUrl,
      databaseUrl,
      async restart(i) {
        procs[i] = await startTestServe(argsFor(i));
        return procs[i];
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

async function database(kind: 'postgres' | 'sqlite', cleanups: Array<() => Promise<void> | void>): Promise<string> {
  if (kind === 'postgres') {
    const db = await freshPostgresDatabase();
    cleanups.push(() => db.drop());
    return db.url;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tidings-fault-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return `sqlite:${join(dir, 'inbox.db')}`;
}

/** Wait until `proc` has logged `count` lines matching `msg` in total; resolves with the last one's time. */
export async function logged(proc: ServerProcess, msg: string, count: number, timeoutMs: number): Promise<number> {
  const entry = await proc.log.waitForCount((e) => e.msg === msg, count, timeoutMs, `${msg} x${count}`);
  return Number(entry.time);
}

/** How many lines of `proc` so far have this message. */
export function countLogged(proc: ServerProcess, msg: string): number {
  return proc.log.entries.filter((e) => e.msg === msg).length;
}
