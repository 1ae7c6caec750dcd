/**
 * Trying again what the inbox refused: a connection whose catch-up could not read the inbox (the database
 * unreachable or too slow) tries again after 250 ms, doubling to at most 5 s, until it can, so a tab that
 * lost events while the database was down still ends on every notification and the true count.
 */
const FIRST_MS = 250;
const MAX_MS = 5000;

export class Retry {
  #delay = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Run `attempt` after the next delay, unless one is already waiting. */
  schedule(attempt: () => void): void {
    if (this.#timer !== undefined) return;
    this.#delay = this.#delay === 0 ? FIRST_MS : Math.min(MAX_MS, this.#delay * 2);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      attempt();
    }, this.#delay);
    this.#timer.unref?.();
  }

  /** Whether an attempt is waiting. */
  get waiting(): boolean {
    return this.#timer !== undefined;
  }

  /** Stop a waiting attempt. */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
