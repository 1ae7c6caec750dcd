/**
 * The soak scenario (case 28), shared by the CI test (soak.test.ts, about 40 s) and `npm run soak` (10
 * minutes): a server in a child process (test/support/measured-server.ts) keeps `connections` sockets of as many users
 * open while they churn in waves (a quarter closed and replaced every `waveMs`), and publishes to them the
 * whole time (notifications to the users whose sockets are open, and a broadcast per wave). Before (after a
 * warm-up wave) and after (every socket closed) it measures the server's heap after GC and its open file
 * descriptors, and it collects every Node warning (a MaxListenersExceededWarning is how a listener leak
 * shows) and error-level log line.
 *
 * Delivery is checked per socket (every user has one socket in its life): the notifications it received
 * have seqs 1, 2, … with no gap or repeat, all of them when the socket was not closing while they were
 * published; it received every broadcast of each wave it was open through, and none twice.
 */
import WebSocket from 'ws';
import { waitUntil } from '../../support/time.js';
import { startChildServer, type ChildServer } from '../../support/measured-server.js';

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
  /** Delivery faults, one line per socket (empty when every socket received what it should). */
  delivery: string[];
  /** Broadcasts the server sent (warm-up excluded). */
  broadcasts: number;
}

/** Sockets opened at once. */
const OPEN_CONCURRENCY = 200;

/** What one socket (one user) was sent and received. */
interface Tab {
  /** Seqs of the notifications received, in arrival order. */
  readonly seqs: number[];
  /** Ids of the broadcasts received. */
  readonly broadcasts: string[];
  /** Notifications published to the user. */
  notified: number;
  /** Whether a notification was published while the socket was closing (it may then be missed). */
  mayMiss: boolean;
  /** Broadcasts of the waves it was open through (it must receive these) and of every wave it overlapped. */
  mustBroadcasts: number;
  mayBroadcasts: number;
}

interface Pool {
  readonly sockets: Map<string, WebSocket>;
  readonly tabs: Map<string, Tab>;
  opened: number;
  frames: number;
}

function receive(pool: Pool, tab: Tab, data: WebSocket.RawData): void {
  pool.frames++;
  const frame = JSON.parse(data.toString()) as { type: string; seq?: number; id?: string };
  if (frame.type === 'notification') tab.seqs.push(frame.seq ?? -1);
  else if (frame.type === 'broadcast') tab.broadcasts.push(frame.id ?? '');
}

async function openOne(srv: ChildServer, pool: Pool, user: string): Promise<void> {
  const ws = new WebSocket(await srv.informUrl(user));
  const tab: Tab = { seqs: [], broadcasts: [], notified: 0, mayMiss: false, mustBroadcasts: 0, mayBroadcasts: 0 };
  pool.tabs.set(user, tab);
  ws.on('message', (data) => receive(pool, tab, data));
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve()); // hello
    ws.once('error', reject);
  });
  pool.sockets.set(user, ws);
  pool.opened++;
}

async function openMany(srv: ChildServer, pool: Pool, users: readonly string[]): Promise<void> {
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

/** Why `tab` (of `user`) did not receive what it should, or undefined; `final` once nothing is in flight. */
function deliveryFault(user: string, tab: Tab, final: boolean): string | undefined {
  const { seqs, broadcasts } = tab;
  if (seqs.some((s, i) => s !== i + 1)) return `${user}: notification seqs ${seqs.join(',')} are not 1..n in order`;
  if (seqs.length > tab.notified) return `${user}: ${seqs.length} notifications received, ${tab.notified} published`;
  if (!tab.mayMiss && seqs.length < tab.notified) return `${user}: ${seqs.length} of ${tab.notified} notifications received`;
  if (new Set(broadcasts).size !== broadcasts.length) return `${user}: a broadcast received twice`;
  if (broadcasts.length < tab.mustBroadcasts) return `${user}: ${broadcasts.length} broadcasts received, at least ${tab.mustBroadcasts} expected`;
  if (final && broadcasts.length > tab.mayBroadcasts) return `${user}: ${broadcasts.length} broadcasts received, at most ${tab.mayBroadcasts} sent while open`;
  return undefined;
}

/** Wait (bounded) until every open socket has received what it must; the faults left, one per socket. */
async function deliveryFaults(pool: Pool): Promise<string[]> {
  const faults = () => [...pool.sockets.keys()].map((u) => deliveryFault(u, pool.tabs.get(u)!, false)).filter((f) => f !== undefined);
  await waitUntil(() => faults().length === 0, 15_000, 'every socket received what it should').catch(() => undefined);
  return [...pool.tabs].map(([u, tab]) => deliveryFault(u, tab, true)).filter((f): f is string => f !== undefined);
}

/** Record a wave's notifications and broadcasts on the sockets they were meant for. */
function recordWave(pool: Pool, wave: { throughout: string[]; leaving: string[]; joining: string[]; notified: string[]; broadcasts: number }): void {
  const leaving = new Set(wave.leaving);
  for (const u of wave.notified) {
    const tab = pool.tabs.get(u)!;
    tab.notified++;
    if (leaving.has(u)) tab.mayMiss = true;
  }
  for (const u of wave.throughout) {
    const tab = pool.tabs.get(u)!;
    tab.mayBroadcasts += wave.broadcasts;
    if (!leaving.has(u)) tab.mustBroadcasts += wave.broadcasts;
  }
  for (const u of wave.joining) pool.tabs.get(u)!.mayBroadcasts += wave.broadcasts;
}

/** Measure the server at rest: no socket open, heap after GC, file descriptors settled. */
async function atRest(srv: ChildServer, fdsTarget?: number): Promise<{ heap: number; fds: number; rss: number }> {
  await waitUntil(async () => (await srv.connections()) === 0, 15_000, 'every socket closed on the server');
  if (fdsTarget !== undefined) await waitUntil(() => srv.fds() <= fdsTarget, 15_000, `server fds back to ${fdsTarget}`).catch(() => undefined);
  const heap = (await srv.heap()).heapUsed;
  return { heap, fds: srv.fds(), rss: srv.rss() };
}

/** Run the scenario; see the module comment. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  // Every socket of the soak is a new user with a new token: a token cache at its default bound (50,000)
  // would still be filling at the end and read as growth. Bounded at 1,000, it is full after the warm-up
  // wave, so what the heap shows is everything else (and that the cache stays within its bound).
  const srv = await startChildServer({ maxConnectionsPerUser: 100, tokenCacheSize: 1000 });
  const pool: Pool = { sockets: new Map(), tabs: new Map(), opened: 0, frames: 0 };
  let next = 0;
  const newUsers = (n: number) => Array.from({ length: n }, () => `soak-${next++}`);
  try {
    // Warm-up: one full wave, published to, then closed; what it leaves behind is the baseline.
    await openMany(srv, pool, newUsers(options.connections));
    const warm = [...pool.sockets.keys()].slice(0, 200);
    let notifications = await srv.notify(warm, 1);
    recordWave(pool, { throughout: [], leaving: warm, joining: [], notified: warm, broadcasts: 0 });
    await closeMany(pool, [...pool.sockets.keys()]);
    const before = await atRest(srv);

    await openMany(srv, pool, newUsers(options.connections));
    const started = Date.now();
    let waves = 0;
    let broadcasts = 0;
    while (Date.now() - started < options.durationMs) {
      const waveStarted = Date.now();
      const open = [...pool.sockets.keys()];
      const leaving = open.filter((_, i) => (i + waves) % 4 === 0);
      const joining = newUsers(leaving.length);
      const notified = open.filter((_, i) => i % 4 === 1);
      const [, , n, b] = await Promise.all([closeMany(pool, leaving), openMany(srv, pool, joining), srv.notify(notified, 1), srv.broadcast(20, 1, 100)]);
      notifications += n;
      broadcasts += b.sent;
      recordWave(pool, { throughout: open, leaving, joining, notified, broadcasts: b.sent });
      waves++;
      options.log?.(`wave ${waves}: ${pool.sockets.size} open, ${pool.opened} opened, ${notifications} notifications, ${pool.frames} frames, server heap ${((await srv.heap()).heapUsed / 1048576).toFixed(1)} MiB, fds ${srv.fds()}`);
      await new Promise((r) => setTimeout(r, Math.max(0, options.waveMs - (Date.now() - waveStarted))));
    }
    const delivery = await deliveryFaults(pool);
    await closeMany(pool, [...pool.sockets.keys()]);
    const after = await atRest(srv, before.fds);
    const problems = [...srv.errors];
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
      delivery,
      broadcasts,
    };
  } finally {
    for (const ws of pool.sockets.values()) ws.terminate();
    await srv.stop();
  }
}
