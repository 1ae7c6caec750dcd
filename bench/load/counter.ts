/** A counter others can wait on: the publisher's window is opened by responses and by the watcher socket. */

/** A monotonically increasing count with a "changed" event. */
export class Counter {
  value = 0;
  private waiters: Array<() => void> = [];

  /** Increase by `n` and wake everyone waiting for a change. */
  add(n = 1): void {
    this.value += n;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next {@link add}. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Resolve at the next change of any of `counters`, or after `ms` (whichever is first). Returns false on timeout. */
export function anyChange(counters: readonly Counter[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const change = Promise.race(counters.map((c) => c.changed())).then(() => true);
  return Promise.race([change, timeout]).finally(() => clearTimeout(timer));
}
