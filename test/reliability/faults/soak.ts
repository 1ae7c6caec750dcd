/**
 * The soak scenario (case 28), shared by the CI test (soak.test.ts, about 40 s) and `npm run soak` (10
 * minutes): a server in a child process (see load-server.ts) keeps `connections` sockets of as many users
 * open while they churn in waves (a quarter closed and replaced every `waveMs`), and publishes to them the
 * whole time (notifications to the users whose sockets are open, and a broadcast per wave). Before (after a
 * warm-up wave) and after (every socket closed) it measures the server's heap after GC and its open file
 * descriptors, and it collects every Node warning (a MaxListenersExceededWarning is how a listener leak
 * shows) and error-level log line.
 */
import WebSocket from 'ws';
import { waitUntil } from '../helpers/child-server.js';
import { startLoadServer, type LoadServer } from './load-server.js';

export interface SoakOptions {
  /** How long to churn. */
  durationMs: number;
  /** Sockets kept open. */
  connections: number;
  /** Time between two waves. */
  waveMs: number;
  /** Progress lines (one per wave). */
  log?: (line: string) => void;
}

export interface SoakResult {
  waves: number;
  /** Sockets opened in all (warm-up included). */
  opened: number;
  /** Frames the clients received. */
  frames: number;
  notifications: number;
  heapBefore: number;
  heapAfter: number;
  /** (after - before) / before, in percent. */
  heapGrowthPct: number;
  fdsBefore: number;
  fdsAfter: number;
  rssBefore: number;
  rssAfter: number;
  /** Node warnings about listeners (MaxListenersExceededWarning…). */
  listenerWarnings: string[];
  /** Every error-level log line and warning of the server. */
  problems: string[];
}

/** Sockets opened at once. */
const OPEN_CONCURRENCY = 200;

interface Pool {
  readonly sockets: Map<string, WebSocket>;
  opened: number;
  frames: number;
}

async function openOne(srv: LoadServer, pool: Pool, user: string): Promise<void> {
  const ws = new WebSocket(await srv.informUrl(user));
  ws.on('message', () => void pool.frames++);
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve()); // hello
    ws.once('error', reject);
  });
  pool.sockets.set(user, ws);
  pool.opened++;
}

async function openMany(srv: LoadServer, pool: Pool, users: readonly string[]): Promise<void> {
  for (let i = 0; i < users.length; i += OPEN_CONCURRENCY) await Promise.all(users.slice(i, i + OPEN_CONCURRENCY).map((u) => openOne(srv, pool, u)));
}

async function closeMany(pool: Pool, users: readonly string[]): Promise<void> {
  await Promise.all(
    users.map((u) => {
      const ws = pool.sockets.get(u);
      pool.sockets.delete(u);
      if (!ws || ws.readyState === WebSocket.CLOSED) return undefined;
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      ws.close();
      return closed;
    }),
  );
}

/** Measure the server at rest: no socket open, heap after GC, file descriptors settled. */
async function atRest(srv: LoadServer, fdsTarget?: number): Promise<{ heap: number; fds: number; rss: number }> {
  await waitUntil(async () => (await srv.connections()) === 0, 15_000, 'every socket closed on the server');
  if (fdsTarget !== undefined) await waitUntil(() => srv.fds() <= fdsTarget, 15_000, `server fds back to ${fdsTarget}`).catch(() => undefined);
  const heap = (await srv.heap()).heapUsed;
  return { heap, fds: srv.fds(), rss: srv.rss() };
}

/** Run the scenario; see the module comment. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const srv = await startLoadServer({ maxConnectionsPerUser: 100 });
  const pool: Pool = { sockets: new Map(), opened: 0, frames: 0 };
  let next = 0;
  const newUsers = (n: number) => Array.from({ length: n }, () => `soak-${next++}`);
  try {
    // Warm-up: one full wave, published to, then closed; what it leaves behind is the baseline.
    await openMany(srv, pool, newUsers(options.connections));
    let notifications = await srv.notify([...pool.sockets.keys()].slice(0, 200), 1);
    await closeMany(pool, [...pool.sockets.keys()]);
    const before = await atRest(srv);

    await openMany(srv, pool, newUsers(options.connections));
    const started = Date.now();
    let waves = 0;
    while (Date.now() - started < options.durationMs) {
      const waveStarted = Date.now();
      const open = [...pool.sockets.keys()];
      const leaving = open.filter((_, i) => (i + waves) % 4 === 0);
      await Promise.all([
        closeMany(pool, leaving),
        openMany(srv, pool, newUsers(leaving.length)),
        srv.notify(open.filter((_, i) => i % 4 === 1), 1).then((n) => (notifications += n)),
        srv.broadcast(20, 1, 100),
      ]);
      waves++;
      options.log?.(`wave ${waves}: ${pool.sockets.size} open, ${pool.opened} opened, ${notifications} notifications, ${pool.frames} frames, server heap ${((await srv.heap()).heapUsed / 1048576).toFixed(1)} MiB, fds ${srv.fds()}`);
      await new Promise((r) => setTimeout(r, Math.max(0, options.waveMs - (Date.now() - waveStarted))));
    }
    await closeMany(pool, [...pool.sockets.keys()]);
    const after = await atRest(srv, before.fds);
    const problems = [...srv.problems];
    return {
      waves,
      opened: pool.opened,
      frames: pool.frames,
      notifications,
      heapBefore: before.heap,
      heapAfter: after.heap,
      heapGrowthPct: ((after.heap - before.heap) / before.heap) * 100,
      fdsBefore: before.fds,
      fdsAfter: after.fds,
      rssBefore: before.rss,
      rssAfter: after.rss,
      listenerWarnings: problems.filter((l) => /MaxListeners|memory leak/i.test(l)),
      problems,
    };
  } finally {
    for (const ws of pool.sockets.values()) ws.terminate();
    await srv.stop();
  }
}
