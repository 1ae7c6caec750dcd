/**
 * Group commit: writes submitted while a batch is being committed (or during the same turn of the event
 * loop) are committed together in the next transaction, so one commit (and one fsync) serves many callers.
 * Each caller still gets its own results, after the commit. Batches run one at a time and in submission
 * order, which is what keeps per-user sequence numbers in call order.
 */
import { TidingsError } from '../errors.js';
import { prepareNotification, type PreparedNotification } from './input.js';
import { closedError } from './store-errors.js';
import type { AddResult, NewNotification } from './types.js';

/** Commits a batch in one transaction and returns one result per item, in order; throws to fail them all. */
export type CommitFn<I, R> = (items: readonly I[]) => R[] | Promise<R[]>;

/** Limits of a {@link GroupCommit}. */
export interface GroupCommitOptions {
  /** Most items per transaction (a single submission larger than this is committed alone, unsplit). */
  maxBatch: number;
  /** Most items waiting for a commit; beyond it `submit` rejects with INBOX_UNAVAILABLE (bounded memory). */
  maxPending: number;
}

interface Job<I, R> {
  items: readonly I[];
  resolve: (results: R[]) => void;
  reject: (err: unknown) => void;
}

/** A queue of writes committed in batches by one {@link CommitFn}. */
export class GroupCommit<I, R> {
  private queue: Job<I, R>[] = [];
  private pending = 0;
  private scheduled = false;
  private running = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly commit: CommitFn<I, R>,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Items waiting for a commit (not counting the batch being committed). */
  get size(): number {
    return this.pending;
  }

  /**
   * Queue `items` to be committed together (never split across transactions). Resolves with their results
   * after the commit; rejects with the commit's error, or INBOX_UNAVAILABLE when closed or full.
   */
  submit(items: readonly I[]): Promise<R[]> {
    if (this.closed) return Promise.reject(closedError());
    if (this.pending > 0 && this.pending + items.length > this.options.maxPending) {
      return Promise.reject(new TidingsError('INBOX_UNAVAILABLE', 'inbox write queue is full'));
    }
    return new Promise<R[]>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.pending += items.length;
      this.schedule();
    });
  }

  /** Refuse new submissions, then resolve once everything already queued has been committed (or failed). */
  close(): Promise<void> {
    this.closed = true;
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.running || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate rather than a microtask: requests parsed in the same I/O phase join the same batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.runBatch();
    });
  }

  private take(): Job<I, R>[] {
    let count = 0;
    let jobs = 0;
    while (jobs < this.queue.length) {
      const size = this.queue[jobs]!.items.length;
      if (jobs > 0 && count + size > this.options.maxBatch) break;
      count += size;
      jobs++;
    }
    this.pending -= count;
    return this.queue.splice(0, jobs);
  }

  private async runBatch(): Promise<void> {
    this.running = true;
    const jobs = this.take();
    const items = jobs.length === 1 ? jobs[0]!.items : jobs.flatMap((job) => job.items);
    try {
      const results = await this.commit(items);
      let at = 0;
      for (const job of jobs) {
        job.resolve(results.slice(at, at + job.items.length));
        at += job.items.length;
      }
    } catch (err) {
      for (const job of jobs) job.reject(err);
    }
    this.running = false;
    if (this.queue.length > 0) this.schedule();
    else for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

/** The group-committed notification writes of a store: checked and encoded before they are queued. */
export class NotificationWrites extends GroupCommit<PreparedNotification, AddResult> {
  /** As `InboxStore.add`. @throws TidingsError INVALID_BODY before anything is queued. */
  async add(n: NewNotification): Promise<AddResult> {
    const [result] = await this.submit([prepareNotification(n)]);
    return result!;
  }

  /** As `InboxStore.addMany`: all in one transaction. @throws TidingsError INVALID_BODY before anything is queued. */
  async addMany(ns: readonly NewNotification[]): Promise<AddResult[]> {
    const items = ns.map(prepareNotification);
    return items.length === 0 ? [] : this.submit(items);
  }
}
