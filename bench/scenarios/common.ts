/**
 * Building blocks shared by scenarios: instances and generators with guaranteed cleanup, subscriber lists,
 * the publish payload, a watcher socket, and draining until every expected delivery arrived.
 */
import { startLoadGenerator, type LoadGenerator } from '../load/generator.js';
import { Counter } from '../load/counter.js';
import type { PoolStats, SocketSpec } from '../load/protocol.js';
import { connectRawClient, type RawClient } from '../load/raw-client.js';
import { BENCH_HOST } from '../lib/net-util.js';
import { sleep, wallClockMs } from '../lib/time.js';
import type { StartOptions, Target, TargetInstance } from '../targets/types.js';

/** Pick the smoke or the real size. */
export function size<T>(smoke: boolean, real: T, tiny: T): T {
  return smoke ? tiny : real;
}

/** Start an instance, run `fn`, always stop it. */
export async function withInstance<T>(target: Target, options: StartOptions, fn: (i: TargetInstance) => Promise<T>): Promise<T> {
  const instance = await target.start(options);
  try {
    return await fn(instance);
  } finally {
    await instance.stop();
  }
}

/** Start `workers` generator processes, run `fn`, always close them. */
export async function withGenerator<T>(workers: number, fn: (g: LoadGenerator) => Promise<T>): Promise<T> {
  const generator = await startLoadGenerator(workers);
  try {
    return await fn(generator);
  } finally {
    await generator.close();
  }
}

/** `count` subscribers `u<offset+i>`; every `captureEvery`-th socket keeps payloads for latency. */
export function subscribers(instance: TargetInstance, count: number, captureEvery: number, offset = 0): SocketSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    path: instance.subscriberPath(`u${offset + i}`),
    capture: captureEvery > 0 && i % captureEvery === 0,
  }));
}

/** Connect `sockets`; a socket that fails to connect fails the scenario (with the first reasons). */
export async function connectAll(generator: LoadGenerator, port: number, sockets: readonly SocketSpec[]): Promise<number> {
  const report = await generator.connect(port, sockets);
  if (report.failed > 0) {
    throw new Error(`${report.failed} of ${sockets.length} sockets failed to connect: ${report.errors.join('; ')}`);
  }
  return report.ms;
}

/** A padding string that makes the reference frame about 100 bytes. */
const PAD = 'x'.repeat(16);

/** The `data` of message `i`: a publish timestamp (read back for latency), its number and padding. */
export function payload(i: number, pad: string = PAD): Record<string, unknown> {
  return { t: wallClockMs(), i, p: pad };
}

/** A watcher socket in the harness process: its deliveries open the publisher's window. */
export interface Watcher {
  readonly delivered: Counter;
  readonly client: RawClient;
}

/** Connect one watcher (connect it last: a broadcast loop reaches it after everyone else). */
export async function connectWatcher(instance: TargetInstance, user = 'watcher'): Promise<Watcher> {
  const delivered = new Counter();
  const client = await connectRawClient({
    host: BENCH_HOST,
    port: instance.port,
    path: instance.subscriberPath(user),
    needles: [Buffer.from('"type":"broadcast"'), Buffer.from('"type":"notification"')],
    capture: false,
    timeoutMs: 15_000,
    onDelivery: () => delivered.add(),
  });
  return { delivered, client };
}

/** Options of {@link drain}. */
export interface DrainOptions {
  /** Deliveries per socket that should arrive. */
  readonly perSocket: number;
  /** Give up when the count has not moved for this long. Default 5000 ms. */
  readonly quietMs?: number;
  /** Give up after this long in any case. Default 60000 ms. */
  readonly maxMs?: number;
  /** Deliveries expected in total, when they are not the same for every socket. */
  readonly total?: number;
}

/** Wait until every expected delivery arrived (or nothing moves any more); returns the final counters. */
export async function drain(generator: LoadGenerator, options: DrainOptions): Promise<PoolStats> {
  const started = Date.now();
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const stats = await generator.stats(options.perSocket);
    const complete = options.total !== undefined ? stats.deliveries >= options.total : stats.missing === 0;
    if (complete) return stats;
    if (stats.deliveries !== last) {
      last = stats.deliveries;
      lastChange = Date.now();
    }
    const quiet = Date.now() - lastChange >= (options.quietMs ?? 5000);
    if (quiet || Date.now() - started >= (options.maxMs ?? 60_000)) return stats;
    await sleep(100);
  }
}

/** Milliseconds to a fixed decimal count, for notes. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
