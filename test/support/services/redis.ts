/**
 * Redis for tests: the shared server at TIDINGS_TEST_REDIS_URL (a unique key prefix per test) and private
 * `redis-server` processes on free ports for fault tests (stopped by pid, never the shared one).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { Redis } from 'ioredis';
import { Child } from '../process.js';
import { skipOrFail } from './skip.js';

export const REDIS_URL = process.env.TIDINGS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test (or parallel run) uses. */
export function uniquePrefix(): string {
  return `t-layer-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A plain ioredis client for inspecting Redis in tests. */
export function rawClient(url = REDIS_URL): Redis {
  return new Redis(url, { enableOfflineQueue: true, maxRetriesPerRequest: 1, lazyConnect: false });
}

/** `undefined` when Redis answers at `url`, else a skip reason (an error under CI=true). */
export async function redisSkipReason(url = REDIS_URL): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (err) {
    return skipOrFail(`Redis not reachable at ${url} (${(err as Error).message}); set TIDINGS_TEST_REDIS_URL`);
  } finally {
    client.disconnect();
  }
}

/**
 * Key prefixes for one test file, every key starting with one deleted after the file's tests (no separator:
 * channels_redis' layout). `inspector` is a raw client for looking at the keys; undefined when `skip`.
 */
export function trackedPrefixes(skip: string | undefined): { inspector: Redis | undefined; newPrefix(): string } {
  const inspector = skip ? undefined : rawClient();
  const prefixes: string[] = [];
  after(async () => {
    if (!inspector) return;
    for (const prefix of prefixes) {
      const keys = await inspector.keys(`${prefix}*`);
      if (keys.length > 0) await inspector.del(...keys);
    }
    inspector.disconnect();
  });
  return {
    inspector,
    newPrefix() {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      return prefix;
    },
  };
}

/** Delete every key that starts with `prefix` (test cleanup; channels_redis' keys have no separator). */
export async function deleteKeysStartingWith(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = rawClient(url);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** Delete every key under `prefix` (test cleanup). */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** `undefined` when a `redis-server` binary is on PATH, else a skip reason (an error under CI). */
export function redisServerSkipReason(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return skipOrFail('redis-server is not installed; fault tests need a private Redis');
}

/** A private redis-server child on its own port, without persistence. */
export class PrivateRedis {
  private child: Child | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Start it and resolve once it accepts connections (its log says so). */
  async start(timeoutMs = 5000): Promise<void> {
    const child = Child.spawn({ command: 'redis-server', args: ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], env: process.env });
    this.child = child;
    await child.ready(child.log.waitForText(/Ready to accept connections/, timeoutMs, `redis-server on ${this.port} ready`), `redis-server on ${this.port}`);
  }

  /** Kill it by pid and wait for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await child?.kill();
  }
}
