/**
 * Counts per key against a limit: open `/inform/` connections per user, waiting long polls per user and
 * per client address. A key with nothing held is forgotten, so memory follows what is open.
 */
export class Slots {
  readonly #held = new Map<string, number>();

  /** Take one for `key`, or return false when `key` already holds `limit` (Infinity: no limit). */
  take(key: string, limit: number): boolean {
    const held = this.#held.get(key) ?? 0;
    if (held >= limit) return false;
    this.#held.set(key, held + 1);
    return true;
  }

  /** Give one back for `key` (each successful `take` is released exactly once by its holder). */
  release(key: string): void {
    const left = (this.#held.get(key) ?? 1) - 1;
    if (left > 0) this.#held.set(key, left);
    else this.#held.delete(key);
  }

  /** Keys holding at least one. */
  get keys(): number {
    return this.#held.size;
  }
}
