/**
 * The harness side of the load generator: starts worker processes, spreads sockets over them, and merges
 * their counters. Every request to a worker has a deadline.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compiledScript } from '../lib/bundle.js';
import { IpcClient, type IpcEvent } from '../lib/ipc.js';
import { BENCH_HOST } from '../lib/net-util.js';
import { withTimeout } from '../lib/time.js';
import { mergePoolStats } from './merge.js';
import type { ConnectReport, PoolStats, SocketSpec, WorkerCommand } from './protocol.js';

const WORKER_PATH = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** How sockets of one connect call behave. */
export interface ConnectOptions {
  readonly mode?: 'raw' | 'ws';
  /** Delivery markers; default: broadcast and notification frames. */
  readonly needles?: readonly string[];
  /** Sockets connecting at once per worker. Default 500. */
  readonly batchSize?: number;
  /** Milliseconds per handshake. Default 15000. */
  readonly timeoutMs?: number;
  /** A socket counts as connected once a frame with this substring arrived (the server's greeting). */
  readonly ready?: string;
  /** Connections started per second over all workers, evenly spaced, instead of batches (a reconnect storm). */
  readonly rate?: number;
}

/** Frames that count as deliveries unless a scenario says otherwise. */
export const DEFAULT_NEEDLES = ['"type":"broadcast"', '"type":"notification"'];

/** Load-generator workers. */
export interface LoadGenerator {
  /** Process ids of the workers. */
  readonly pids: readonly number[];
  /** Open `sockets` to 127.0.0.1:`port`, split in contiguous slices over the workers. */
  connect(port: number, sockets: readonly SocketSpec[], options?: ConnectOptions): Promise<ConnectReport>;
  /** Drop every socket in every worker; the workers stay up for the next connect. */
  drop(): Promise<void>;
  /** Zero counters in every worker (start of a measurement window). */
  reset(): Promise<void>;
  /** Merged counters; `expected` deliveries per socket gives loss figures; latency samples on request. */
  stats(expected?: number, latency?: boolean): Promise<PoolStats>;
  /** Close all sockets and let the workers exit. */
  close(): Promise<void>;
  /** Deliveries since the last reset, summed over workers, as last reported (every ~10 ms). */
  delivered(): number;
  /** Call `listener` with {@link delivered} whenever a worker reports; returns the unsubscribe function. */
  onProgress(listener: (total: number) => void): () => void;
}

type Worker = IpcClient<WorkerCommand>;

async function spawnWorker(onEvent: (event: IpcEvent) => void): Promise<Worker> {
  const child = spawn(process.execPath, [await compiledScript(WORKER_PATH)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise<Worker>((resolve, reject) => {
    child.once('message', () => resolve(new IpcClient<WorkerCommand>(child, 'load worker', onEvent)));
    child.once('exit', (code) => reject(new Error(`load worker exited during start (${String(code)})`)));
    child.once('error', reject);
  });
  return withTimeout(ready, 20_000, 'load worker start').catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
}

/** Latest delivery totals reported by each worker. */
class Progress {
  total = 0;
  private readonly totals: number[];
  private readonly listeners = new Set<(total: number) => void>();

  constructor(workers: number) {
    this.totals = new Array<number>(workers).fill(0);
  }

  update(worker: number, event: IpcEvent): void {
    if (event.event !== 'progress' || typeof event.data !== 'number') return;
    this.total += event.data - (this.totals[worker] ?? 0);
    this.totals[worker] = event.data;
    for (const listener of this.listeners) listener(this.total);
  }

  reset(): void {
    this.totals.fill(0);
    this.total = 0;
  }

  subscribe(listener: (total: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function slices<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** Split `sockets` over the workers and merge their connect reports. */
async function connectSpread(pool: readonly Worker[], port: number, sockets: readonly SocketSpec[], options: ConnectOptions): Promise<ConnectReport> {
  const base = {
    cmd: 'connect' as const,
    host: BENCH_HOST,
    port,
    mode: options.mode ?? 'raw',
    needles: options.needles ?? DEFAULT_NEEDLES,
    batchSize: options.batchSize ?? 500,
    timeoutMs: options.timeoutMs ?? 15_000,
    ready: options.ready,
    ...(options.rate !== undefined ? { rate: options.rate / pool.length } : {}),
  };
  const parts = slices(sockets, pool.length);
  const budget = 60_000 + sockets.length * 10;
  const reports = await Promise.all(pool.map((w, i) => w.request<ConnectReport>({ ...base, sockets: parts[i] ?? [] }, budget)));
  return {
    connected: reports.reduce((n, r) => n + r.connected, 0),
    failed: reports.reduce((n, r) => n + r.failed, 0),
    errors: [...new Set(reports.flatMap((r) => r.errors))].slice(0, 5),
    ms: Math.max(...reports.map((r) => r.ms)),
    ...(options.rate !== undefined ? { handshakeMs: reports.flatMap((r) => r.handshakeMs ?? []) } : {}),
  };
}

/** Start `workers` generator processes (default 1). */
export async function startLoadGenerator(workers = 1): Promise<LoadGenerator> {
  const progress = new Progress(workers);
  const started = await Promise.allSettled(Array.from({ length: workers }, (_, i) => spawnWorker((e) => progress.update(i, e))));
  const pool = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    for (const w of pool) w.child.kill('SIGKILL');
    throw failure.reason;
  }
  const all = <T>(command: WorkerCommand, ms: number): Promise<T[]> => Promise.all(pool.map((w) => w.request<T>(command, ms)));
  return {
    pids: pool.map((w) => w.child.pid ?? 0),
    connect: (port, sockets, options = {}) => connectSpread(pool, port, sockets, options),
    async drop() {
      await all({ cmd: 'drop' }, 10_000);
    },
    async reset() {
      await all({ cmd: 'reset' }, 10_000);
      progress.reset();
    },
    delivered: () => progress.total,
    onProgress: (listener) => progress.subscribe(listener),
    stats: async (expected, latency = false) => mergePoolStats(await all<PoolStats>({ cmd: 'stats', expected, latency }, 20_000)),
    async close() {
      await Promise.allSettled(pool.map((w) => w.request({ cmd: 'close' }, 10_000)));
      for (const w of pool) if (w.child.exitCode === null) w.child.kill('SIGTERM');
    },
  };
}
