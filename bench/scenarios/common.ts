/**
 * Building blocks shared by scenarios: instances and generators with guaranteed cleanup, subscriber lists,
 * and draining until every expected delivery arrived.
 */
import { startLoadGenerator, type LoadGenerator } from '../load/generator.js';
import type { PoolStats, SocketSpec } from '../load/protocol.js';
import { sleep } from '../lib/time.js';
import type { StartOptions, Target, TargetInstance } from '../targets/types.js';

/** Pick the smoke or the real size. */
export function size<T>(smoke: boolean, real: T, tiny: T): T {
  return smoke ? tiny : real;
}

/** Warm-up length before a measured phase (JIT, buffers); none in smoke runs, which measure nothing. */
export const WARMUP_MS = 2000;

/** Run `fn` as a warm-up unless this is a smoke run. */
export async function warmUp(ctx: { readonly smoke: boolean }, fn: (durationMs: number) => Promise<unknown>): Promise<void> {
  if (!ctx.smoke) await fn(WARMUP_MS);
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

/** Start one instance per entry of `options` at the same time, run `fn`, always stop them all. */
export async function withInstances<T>(
  target: Target,
  options: readonly StartOptions[],
  fn: (instances: TargetInstance[]) => Promise<T>,
): Promise<T> {
  const started = await Promise.allSettled(options.map((o) => target.start(o)));
  const instances = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return await fn(instances);
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
  }
}

/**
 * Start an instance and `workers` generator processes at the same time, run `fn`, always close both
 * (generator first, so the server is stopped with no clients).
 */
export async function withSetup<T>(
  target: Target,
  options: StartOptions,
  workers: number,
  fn: (instance: TargetInstance, generator: LoadGenerator) => Promise<T>,
): Promise<T> {
  const [instance, generator] = await Promise.allSettled([target.start(options), startLoadGenerator(workers)]);
  try {
    if (instance.status === 'rejected') throw instance.reason;
    if (generator.status === 'rejected') throw generator.reason;
    return await fn(instance.value, generator.value);
  } finally {
    if (generator.status === 'fulfilled') await generator.value.close();
    if (instance.status === 'fulfilled') await instance.value.stop();
  }
}

/** `count` subscribers `u<offset+i>`; every `captureEvery`-th socket keeps payloads for latency. */
export function subscribers(instance: TargetInstance, count: number, captureEvery: number, offset = 0): SocketSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    path: instance.subscriberPath(`u${offset + i}`),
    capture: captureEvery > 0 && i % captureEvery === 0,
  }));
}

/**
 * Connect `sockets` and wait for each one's greeting (the target's `readyFrame`); a socket that fails to
 * connect fails the scenario (with the first reasons). Returns the milliseconds it took.
 */
export async function connectAll(generator: LoadGenerator, instance: TargetInstance, sockets: readonly SocketSpec[]): Promise<number> {
  const report = await generator.connect(instance.port, sockets, { ready: instance.readyFrame });
  if (report.failed > 0) {
    throw new Error(`${report.failed} of ${sockets.length} sockets failed to connect: ${report.errors.join('; ')}`);
  }
  return report.ms;
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
