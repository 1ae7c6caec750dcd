/**
 * `ReachObserver`: what src/reach hears from `/inform/` connections (see `ConnectionObserver` in
 * src/notify). It keeps presence, and (with escalation on) remembers per user the highest seq written to a
 * visible connection, flushing that to the schedule in one batch every `flushMs`: a notification seen
 * there is never escalated. On the delivery path it costs one map lookup.
 */
import type { Logger } from '../log/index.js';
import type { ConnectionObserver, ObservedConnection } from '../notify/index.js';
import type { PresenceEvents } from './presence-events.js';
import type { PresenceStore } from './presence.js';
import type { ReachStore } from './store.js';

/** Options of {@link ReachObserver}. */
export interface ReachObserverOptions {
  presence: PresenceStore;
  /** With escalation on: where seen notifications are taken off the schedule. */
  store?: ReachStore | undefined;
  log: Logger;
  /** Milliseconds between flushes of seen seqs. Default 250. */
  flushMs?: number;
  /** With `user.online`/`user.offline` events on: told of every connection change. */
  events?: PresenceEvents | undefined;
}

export class ReachObserver implements ConnectionObserver {
  readonly #ids = new WeakMap<ObservedConnection, number>();
  #nextId = 1;
  #seen = new Map<string, number>();
  readonly #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly o: ReachObserverOptions) {
    this.delivered = o.store ? (userId, seq) => this.#record(userId, seq) : undefined;
    if (o.store) {
      this.#timer = setInterval(() => void this.flush(), o.flushMs ?? 250);
      this.#timer.unref();
    }
  }

  opened(c: ObservedConnection): void {
    const id = this.#nextId++;
    this.#ids.set(c, id);
    this.o.presence.connected(c.userId, id);
    this.o.events?.changed(c.userId);
  }

  closed(c: ObservedConnection): void {
    const id = this.#ids.get(c);
    if (id === undefined) return;
    this.o.presence.disconnected(c.userId, id);
    this.o.events?.changed(c.userId);
  }

  visibility(): void {
    // Presence counts connections, visible or not; what a visible one delivered arrives as `delivered`.
  }

  /** Set only with escalation on: without it, the consumer reports nothing per delivery. */
  readonly delivered: ((userId: string, seq: number) => void) | undefined;

  #record(userId: string, seq: number): void {
    if (seq <= 0) return;
    const before = this.#seen.get(userId);
    if (before === undefined || seq > before) this.#seen.set(userId, seq);
  }

  /** Write what was seen since the last flush (one batch); failures are logged and kept for the next one. */
  flush(): Promise<void> {
    const store = this.o.store;
    if (!store || this.#seen.size === 0) return this.#flushing;
    const batch = this.#seen;
    this.#seen = new Map();
    this.#flushing = this.#flushing.then(() =>
      store.forgetSeen(batch).catch((err: unknown) => {
        this.o.log.warn({ err }, 'recording seen notifications failed');
        for (const [user, seq] of batch) this.#record(user, seq);
      }),
    );
    return this.#flushing;
  }

  /** Flush once more and stop. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
