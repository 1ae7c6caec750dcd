/** Small helpers shared by the client's modules. */

/** A typed event emitter. A throwing listener does not stop the others; its error is rethrown async. */
export interface Emitter<E> {
  on<K extends keyof E>(event: K, listener: (payload: E[K]) => void): () => void;
  emit<K extends keyof E>(event: K, payload: E[K]): void;
}

/** An {@link Emitter} for the event map `E`. */
export function createEmitter<E>(): Emitter<E> {
  const listeners = new Map<keyof E, Set<(payload: unknown) => void>>();
  return {
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const fn = listener as (payload: unknown) => void;
      set.add(fn);
      return () => void set.delete(fn);
    },
    emit(event, payload) {
      for (const fn of [...(listeners.get(event) ?? [])]) {
        try {
          fn(payload);
        } catch (err) {
          // Surface the listener's bug (console / uncaught handler) without breaking the client.
          queueMicrotask(() => {
            throw err;
          });
        }
      }
    },
  };
}

/** Drops the oldest entries (insertion order) of a Map or Set until it holds at most `max`. */
export function trimOldest(collection: Map<string, unknown> | Set<string>, max: number): void {
  for (const key of collection.keys()) {
    if (collection.size <= max) return;
    collection.delete(key);
  }
}

/** Named one-shot timers; setting a name again replaces its timer. */
export interface Timers {
  set(name: string, ms: number, fn: () => void): void;
  clear(name: string): void;
  clearAll(): void;
}

/** Longest delay setTimeout accepts (about 24.8 days); longer ones would fire at once. */
const MAX_DELAY = 2 ** 31 - 1;

/** A set of {@link Timers}. */
export function createTimers(): Timers {
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const clear = (name: string): void => {
    clearTimeout(pending.get(name));
    pending.delete(name);
  };
  return {
    set(name, ms, fn) {
      clear(name);
      pending.set(
        name,
        setTimeout(() => {
          pending.delete(name);
          fn();
        }, Math.min(ms, MAX_DELAY)),
      );
    },
    clear,
    clearAll() {
      for (const name of [...pending.keys()]) clear(name);
    },
  };
}

/** The `exp` claim of a JWT in epoch milliseconds, or undefined when it is not a JWT with `exp`. */
export function tokenExpiry(token: string | null | undefined): number | undefined {
  try {
    const payload = token?.split('.')[1];
    if (!payload) return undefined;
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
