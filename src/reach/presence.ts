/**
 * Presence: which users have open `/inform/` connections, how many, and when they were last seen. The
 * {@link PresenceStore} interface has two backends: {@link MemoryPresence} (one process) and
 * `RedisPresence` (every process sharing a Redis, with expiring entries so a killed process does not leave
 * its users online).
 */

/** The answer of `GET /v1/users/:id/presence`. */
export interface Presence {
  user: string;
  /** At least one open connection (on any process, with Redis). */
  online: boolean;
  /** Open connections of the user. */
  connections: number;
  /** ISO-8601 UTC: when a connection of the user was last open; null for a user never seen. */
  lastSeen: string | null;
}

/** Where presence is kept. Methods other than `get` never throw: failures are logged and retried later. */
export interface PresenceStore {
  /** A connection of `user` opened; `id` is unique per connection within the process. */
  connected(user: string, id: number): void;
  /** That connection closed. */
  disconnected(user: string, id: number): void;
  /** The user's presence now. @throws TidingsError LAYER_UNAVAILABLE when the backend cannot answer. */
  get(user: string): Promise<Presence>;
  /**
   * Record `state` as the user's last announced state (for `user.online` / `user.offline` events) and
   * return the previous one (null: never announced); atomic across processes.
   */
  swapAnnounced(user: string, state: 'online' | 'offline'): Promise<'online' | 'offline' | null>;
  /**
   * Users announced online who have no live connection left (their process died), for one caller per
   * period across processes; [] for the others and for a single-process backend.
   */
  staleOnline(): Promise<string[]>;
  /** Stop (timers, connections); the process's entries are removed where the backend can. */
  close(): Promise<void>;
}

/** Most users whose last-seen time (and announced state) one process remembers; the oldest are forgotten. */
export const MEMORY_PRESENCE_USERS = 100_000;

/** Set `key` as the newest entry of `map`, forgetting the oldest past {@link MEMORY_PRESENCE_USERS}. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MEMORY_PRESENCE_USERS) map.delete(map.keys().next().value as string);
}

/** Presence of this process only (the in-memory layer's world). */
export class MemoryPresence implements PresenceStore {
  readonly #open = new Map<string, Set<number>>();
  readonly #lastSeen = new Map<string, number>();
  readonly #announced = new Map<string, 'online' | 'offline'>();

  connected(user: string, id: number): void {
    let set = this.#open.get(user);
    if (!set) this.#open.set(user, (set = new Set()));
    set.add(id);
    remember(this.#lastSeen, user, Date.now());
  }

  disconnected(user: string, id: number): void {
    const set = this.#open.get(user);
    if (!set?.delete(id)) return;
    if (set.size === 0) this.#open.delete(user);
    remember(this.#lastSeen, user, Date.now());
  }

  async get(user: string): Promise<Presence> {
    const connections = this.#open.get(user)?.size ?? 0;
    const online = connections > 0;
    const seen = online ? Date.now() : this.#lastSeen.get(user);
    return { user, online, connections, lastSeen: seen === undefined ? null : new Date(seen).toISOString() };
  }

  async swapAnnounced(user: string, state: 'online' | 'offline'): Promise<'online' | 'offline' | null> {
    const previous = this.#announced.get(user) ?? null;
    remember(this.#announced, user, state);
    return previous;
  }

  async staleOnline(): Promise<string[]> {
    // One process: every close is seen here, nothing goes stale.
    return [];
  }

  async close(): Promise<void> {
    this.#open.clear();
  }
}
