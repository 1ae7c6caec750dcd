/**
 * The real servers a checker run drives, in two shapes:
 * - `sqlite`: one in-process server (`startTestServer`: memory layer, `:memory:` SQLite) on 127.0.0.1:0,
 *   published to through its SDK and its HTTP API;
 * - `pg-redis`: two `tidings serve` child processes (test/support/pool.ts) sharing a PostgreSQL
 *   database of their own, reached through a delaying proxy (the slow database), and a PRIVATE
 *   redis-server on a free port, which the `redis-restart` step stops and starts again (the machine's
 *   shared Redis is never touched).
 * The stored rows are read straight from the inbox, as the truth the model compares with.
 */
import { createInboxStore, type InboxStore, type Notification } from '../../../src/inbox/index.js';
import { startTestServer, type TestServer } from '../../../src/testing/index.js';
import type { Tidings } from '../../../src/tidings.js';
import { startPool, type Pool } from '../../support/pool.js';
import { startDelayProxy, type DelayProxy } from '../../support/proxy/delay-proxy.js';
import type { RunSettings, Shape } from './schedule.js';

export interface System {
  readonly shape: Shape;
  /** Number of server processes. */
  readonly procs: number;
  /** `ws://…/inform/` of process `i`. */
  wsUrl(i: number): string;
  /** `http://…` of process `i`. */
  httpUrl(i: number): string;
  /** The SDK (in-process shape only). */
  readonly sdk: Tidings | undefined;
  /** Store `n` rows for `user` straight in the inbox (never pushed). */
  storeOnly(user: string, n: number): Promise<void>;
  /** Every stored row of `user`, ascending by seq. */
  rows(user: string): Promise<Notification[]>;
  restartRedis?(): Promise<void>;
  setDbDelay?(ms: number): void;
  close(): Promise<void>;
}

async function allRows(inbox: InboxStore, user: string): Promise<Notification[]> {
  const out: Notification[] = [];
  for (;;) {
    const page = await inbox.since(user, out.at(-1)?.seq ?? 0, 1000);
    out.push(...page);
    if (page.length < 1000) return out;
  }
}

async function storeOnly(inbox: InboxStore, user: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await inbox.add({ userId: user, kind: 'model', data: { storedOnly: i } });
}

const COMMON = { maxConnectionsPerUser: 1000, messageRate: 100_000 };

async function sqliteSystem(settings: RunSettings): Promise<System> {
  const srv: TestServer = await startTestServer({ settings: { ...COMMON, ...settings, logLevel: 'silent' } });
  return {
    shape: 'sqlite',
    procs: 1,
    wsUrl: () => srv.wsUrl('/inform/'),
    httpUrl: () => srv.url,
    sdk: srv.tidings,
    rows: (user) => allRows(srv.tidings.inbox, user),
    storeOnly: (user, n) => storeOnly(srv.tidings.inbox, user, n),
    close: () => srv.close(),
  };
}

async function pgRedisSystem(settings: RunSettings): Promise<System> {
  let proxy: DelayProxy | undefined;
  const pool: Pool = await startPool({
    size: 2,
    redis: 'private',
    database: 'postgres',
    args: ['--capacity', String(settings.capacity), '--replay-limit', String(settings.replayLimit), '--group-expiry', String(settings.groupExpiry), '--message-rate', String(COMMON.messageRate)],
    async databaseUrlFor(url) {
      const u = new URL(url);
      proxy = await startDelayProxy(Number(u.port || 5432));
      u.host = `127.0.0.1:${proxy.port}`;
      return u.toString();
    },
  });
  const inbox = await createInboxStore(pool.databaseUrl);
  return {
    shape: 'pg-redis',
    procs: 2,
    wsUrl: (i) => `${pool.procs[i]!.url.replace(/^http/, 'ws')}/inform/`,
    httpUrl: (i) => pool.procs[i]!.url,
    sdk: undefined,
    rows: (user) => allRows(inbox, user),
    storeOnly: (user, n) => storeOnly(inbox, user, n),
    async restartRedis() {
      await pool.redis!.stop();
      await pool.redis!.start();
      // The step is "Redis went away and came back": it ends when every server's layer is ready again.
      await Promise.all(pool.procs.map((p) => untilReady(p.url)));
    },
    setDbDelay: (ms) => proxy?.setDelay(ms),
    async close() {
      proxy?.setDelay(0);
      await inbox.close();
      await pool.close();
      await proxy?.close();
    },
  };
}

/** Start the servers of `shape` with these settings. */
export function startSystem(shape: Shape, settings: RunSettings): Promise<System> {
  return shape === 'sqlite' ? sqliteSystem(settings) : pgRedisSystem(settings);
}

/** Wait until `GET /readyz` answers 200 (the layer and the database answer), at most 15 s. */
async function untilReady(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(`${url}/readyz`).catch(() => null);
    await res?.body?.cancel();
    if (res?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready 15 s after a Redis restart`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
