/**
 * Clocks and bounded waiting for the benchmark harness. Every wait has a deadline: a benchmark that hangs is
 * worse than one that fails.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Milliseconds since the Unix epoch with sub-millisecond resolution. Comparable across processes on one
 * machine (each process anchors `performance.now()` to its own `timeOrigin`), which is what a publish
 * timestamp read by a receiver in another process needs.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return delay(ms);
}

/** Error thrown by {@link withTimeout} and {@link waitUntil}; `message` says what was awaited. */
export class BenchTimeoutError extends Error {
  override readonly name = 'BenchTimeoutError';
}

/** Race `promise` against a timer; rejects with {@link BenchTimeoutError} naming `what` after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BenchTimeoutError(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Poll `check` every `intervalMs` until it returns true or `ms` elapse. Returns whether it became true.
 * Used where the awaited condition lives in another process (counters behind IPC), so there is no event.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  ms: number,
  intervalMs = 50,
): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= end) return false;
    await sleep(Math.min(intervalMs, Math.max(1, end - Date.now())));
  }
}
