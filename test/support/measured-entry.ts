/**
 * Entry point of a child process running the whole Tidings service (`startTestServer`: memory layer,
 * `sqlite::memory:`, test secrets) with the settings given as JSON in argv[2]. Run by `startChildServer`
 * (measured-server.ts) with --expose-gc, so that hostile input is aimed at a process whose memory, file
 * descriptors and liveness the test can measure from outside; it can also produce load from the inside, so
 * that what a test measures is the server's own work (fan-out, slow sockets, churn) and not an HTTP
 * client's. Logs at `warn` and above go
 * to stderr as pino JSON lines (Node's own warnings, e.g. MaxListenersExceededWarning, go there too).
 *
 * IPC: the parent sends `{ id, cmd, args }`; the child answers `{ id, value }` (or `{ id, error }`).
 * - `heap`: `process.memoryUsage()` after two full GCs.
 * - `connections`: open WebSocket connections.
 * - `broadcast`: `{ rate, seconds, bytes }` -> broadcasts at `rate` per second for `seconds`, each carrying
 *   `data.t` (epoch ms, sub-ms precision) and `bytes` of padding; answers `{ sent, rate }`.
 * - `notify`: `{ users, each }` -> `each` notifications to every user in `users` (stored, then pushed).
 */
import { createLogger } from '../../src/log/index.js';
import { startTestServer } from '../../src/testing/index.js';

interface Request {
  id: number;
  cmd: 'heap' | 'connections' | 'broadcast' | 'notify';
  args?: { rate?: number; seconds?: number; bytes?: number; users?: string[]; each?: number };
}

const settings = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const logger = createLogger({ level: 'warn', destination: process.stderr });
const srv = await startTestServer({ settings, logger });
const now = () => performance.timeOrigin + performance.now();
const MAX_BURST = 50;

/** Broadcast at `rate`/s in 10 ms slices, so the load is even rather than one burst per second. */
async function broadcast(rate: number, seconds: number, bytes: number): Promise<{ sent: number; rate: number }> {
  const pad = 'x'.repeat(bytes);
  const total = rate * seconds;
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    // At most MAX_BURST at once (behind a stall, the rest follows a turn of the event loop later): a burst
    // over the layer's per-channel capacity would be dropped by design (at most once), which is not what
    // these tests measure.
    const batch: Promise<unknown>[] = [];
    for (; sent < due && batch.length < MAX_BURST; sent++) batch.push(srv.tidings.broadcast({ kind: 'load', data: { t: now(), pad } }));
    await Promise.all(batch);
    await new Promise((r) => (sent < due ? setImmediate(r) : setTimeout(r, 10)));
  }
  return { sent, rate: sent / ((performance.now() - started) / 1000) };
}

async function notify(users: string[], each: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < each; i++) {
    await Promise.all(users.map((to) => srv.tidings.notify({ to, kind: 'load', data: { i, t: now() } })));
    n += users.length;
  }
  return n;
}

async function answer(req: Request): Promise<unknown> {
  const a = req.args ?? {};
  switch (req.cmd) {
    case 'connections':
      return srv.tidings.server.connections;
    case 'broadcast':
      return broadcast(a.rate ?? 1000, a.seconds ?? 1, a.bytes ?? 100);
    case 'notify':
      return notify(a.users ?? [], a.each ?? 1);
    case 'heap': {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      return process.memoryUsage();
    }
  }
}

process.on('message', (req: Request) => {
  answer(req).then(
    (value) => process.send?.({ id: req.id, value }),
    (err: unknown) => process.send?.({ id: req.id, error: String(err) }),
  );
});
// The parent going away (or closing the channel) stops the server.
process.once('disconnect', () => {
  void srv.close().finally(() => process.exit(0));
});
process.send?.({ type: 'listening', url: srv.url });
