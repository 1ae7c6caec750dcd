/**
 * Timing for tests: every wait has a bound and names what it waited for. Await an event with {@link within};
 * poll with {@link waitUntil} or {@link eventually} only where the state raises no event (another process's
 * counters, a file descriptor count, a store written a moment later).
 */

/** Resolve with `promise`, or reject after `ms` with `what` in the message. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Poll `check` until it returns true, failing after `timeoutMs`; resolves with the milliseconds it took. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, intervalMs = 20): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Poll `read` until `ok` accepts its value (writes of a backend may land a moment later); resolves with it. */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 3000): Promise<T> {
  let last: T | undefined;
  await waitUntil(async () => ok((last = await read())), ms, `condition (last value ${JSON.stringify(last)})`).catch(() => {
    throw new Error(`condition not met within ${ms} ms; last value ${JSON.stringify(last)}`);
  });
  return last as T;
}
