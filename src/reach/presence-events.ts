/**
 * Opt-in webhook events `user.online` / `user.offline` (`TIDINGS_WEBHOOK_PRESENCE`), posted and signed like
 * escalations (`{"type":"user.online","user","at"}`). Debounced: a user's presence is looked at
 * `debounceMs` after their last connection change and announced only if it differs from the last announced
 * state, so a reload (a close and an open within the debounce) is not an offline-online pair. Across
 * processes each change is announced once: the announced state is swapped atomically in the presence backend.
 * A user whose last tab was on a process that died is found by the sweep (one process per period looks at
 * the users announced online) once their entries have expired.
 * Best effort: three attempts (at once, after 1 s, after 5 s), not stored.
 */
import type { Logger } from '../log/index.js';
import { deliveryId } from './escalator.js';
import type { PresenceStore } from './presence.js';

/** Options of {@link PresenceEvents}. */
export interface PresenceEventsOptions {
  presence: PresenceStore;
  /** POST a signed body; true when the receiver answered 2xx. */
  post(body: string, id: string): Promise<boolean>;
  /** Milliseconds from a connection change to the look. Default 5000. */
  debounceMs?: number;
  /** Milliseconds between sweeps for users left online by a dead process. Default 30000. */
  sweepMs?: number;
  log: Logger;
}

const RETRIES = [0, 1000, 5000];

export class PresenceEvents {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #sweep: NodeJS.Timeout;
  readonly #pending = new Set<Promise<void>>();
  #closed = false;

  constructor(private readonly o: PresenceEventsOptions) {
    this.#sweep = setInterval(() => void this.#sweepOnce(), o.sweepMs ?? 30_000);
    this.#sweep.unref();
  }

  /** A connection of `user` opened or closed. */
  changed(user: string): void {
    if (this.#closed) return;
    clearTimeout(this.#timers.get(user));
    const timer = setTimeout(() => {
      this.#timers.delete(user);
      this.#track(this.check(user));
    }, this.o.debounceMs ?? 5000);
    timer.unref();
    this.#timers.set(user, timer);
  }

  /** Look at `user`'s presence now and announce it if it changed. Never throws. */
  async check(user: string): Promise<void> {
    const { presence, log } = this.o;
    try {
      const state = (await presence.get(user)).online ? 'online' : 'offline';
      const previous = await presence.swapAnnounced(user, state);
      // Never announced and offline again (a short visit): nothing to tell.
      if (previous === state || (previous === null && state === 'offline')) return;
      const body = JSON.stringify({ type: `user.${state}`, user, at: new Date().toISOString() });
      const id = deliveryId();
      for (const delay of RETRIES) {
        if (delay > 0) await new Promise((r) => setTimeout(r, delay).unref());
        if (this.#closed) return;
        if (await this.o.post(body, id)) return;
      }
      log.warn({ user, state }, 'presence event dropped after retries');
    } catch (err) {
      log.warn({ err, user }, 'presence event failed');
    }
  }

  /** Stop timers; wait for looks in progress (their retries stop). */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.allSettled([...this.#pending]);
  }

  async #sweepOnce(): Promise<void> {
    try {
      for (const user of await this.o.presence.staleOnline()) this.#track(this.check(user));
    } catch (err) {
      this.o.log.warn({ err }, 'presence sweep failed');
    }
  }

  #track(p: Promise<void>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }
}
