/**
 * Exponential backoff with full jitter: the n-th delay (from 0) is uniform in
 * `[0, min(maxMs, baseMs * 2^n))`. Full jitter spreads a crowd of clients reconnecting after a server
 * restart over the whole window instead of waves at fixed delays.
 */
export interface Backoff {
  /** The next delay in milliseconds; each call moves one attempt further. */
  next(): number;
  /** Back to the first attempt (after a stable connection). */
  reset(): void;
  /** Move on to attempt `n` (from 0) unless already past it: the next delay's window is at least `baseMs * 2^n`. */
  skipTo(n: number): void;
}

/** Options of {@link createBackoff}. `baseMs` > 0 and `maxMs` >= `baseMs`. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Random source in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** A backoff schedule; see the module comment for the formula. */
export function createBackoff({ baseMs, maxMs, random = Math.random }: BackoffOptions): Backoff {
  let attempt = 0;
  return {
    next() {
      // 2^attempt stops growing once past the cap, so the exponent never overflows.
      const cap = Math.min(maxMs, baseMs * 2 ** attempt);
      if (cap < maxMs) attempt++;
      return Math.floor(random() * cap);
    },
    reset() {
      attempt = 0;
    },
    skipTo(n) {
      while (attempt < n && Math.min(maxMs, baseMs * 2 ** attempt) < maxMs) attempt++;
    },
  };
}
