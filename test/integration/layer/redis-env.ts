/**
 * Redis for the layer's integration tests: the shared server at TIDINGS_TEST_REDIS_URL (unique key prefix per
 * test) and private `redis-server` processes on free ports for fault tests (stopped by pid, never the shared one).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TIDINGS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const IN_CI = process.env.CI === 'true';

/** A key prefix no other test (or parallel run) uses. */
export function uniquePrefix(): string {
  return `t-layer-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A plain ioredis client for inspecting Redis in tests. */
export function rawClient(url = REDIS_URL): Redis {
  return new Redis(url, { enableOfflineQueue: true, maxRetriesPerRequest: 1, lazyConnect: false });
}

/**
 * `undefined` when Redis answers at `url`, else a skip message. Under CI=true an unreachable Redis throws
 * instead, so the suite fails rather than skips.
 */
export async function redisSkipReason(url = REDIS_URL): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (err) {
    const reason = `Redis not reachable at ${url} (${(err as Error).message}); set TIDINGS_TEST_REDIS_URL`;
    if (IN_CI) throw new Error(reason);
    return reason;
  } finally {
    client.disconnect();
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

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Whether a `redis-server` binary is on PATH; under CI its absence throws. */
export function redisServerSkipReason(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  const reason = 'redis-server is not installed; fault tests need a private Redis';
  if (IN_CI) throw new Error(reason);
  return reason;
}

/** A private redis-server child on its own port, without persistence. */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Start it and resolve once it accepts connections (its log says so). */
  async start(timeoutMs = 5000): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server on ${this.port} not ready within ${timeoutMs} ms:\n${log}`)), timeoutMs);
      child.stdout!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server on ${this.port} exited with ${code}:\n${log}`));
      });
    });
    child.stdout!.resume();
    child.stderr!.resume();
  }

  /** Kill it by pid and wait for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    process.kill(child.pid!, 'SIGKILL');
    await exited;
  }
}
