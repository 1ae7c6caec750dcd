/**
 * Publishing through the HTTP API during a fault, recording every answer: what was acknowledged (201, with
 * its id and seq), what was refused (status and error code) and how long each request took, so a test can
 * assert that nothing acknowledged was lost and that no request hung.
 */
import { TEST_API_KEY } from '../../../src/testing/index.js';

/** One publish request and its outcome. */
export interface PublishRecord {
  user: string;
  /** 201 or the error status; 0 when the request itself failed (connection refused or cut). */
  status: number;
  /** The error code of a refusal (`INBOX_UNAVAILABLE`…). */
  code?: string;
  id?: string;
  seq?: number;
  dedupeKey?: string;
  ms: number;
  /** `performance.now()` when the answer came. */
  at: number;
}

/** POST one notification; never throws (a failed request is status 0). */
export async function publishOnce(base: string, user: string, data: Record<string, unknown>, dedupeKey?: string, timeoutMs = 15_000): Promise<PublishRecord> {
  const started = performance.now();
  try {
    const res = await fetch(`${base}/v1/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: user, kind: 'fault', data, ...(dedupeKey ? { dedupeKey } : {}) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as { id?: string; seq?: number; code?: string };
    const at = performance.now();
    const record = { user, status: res.status, ms: at - started, at, ...(dedupeKey ? { dedupeKey } : {}) };
    return res.status === 201 ? { ...record, id: body.id as string, seq: body.seq as number } : { ...record, ...(body.code ? { code: body.code } : {}) };
  } catch {
    const at = performance.now();
    return { user, status: 0, ms: at - started, at, ...(dedupeKey ? { dedupeKey } : {}) };
  }
}

export interface PublishLoopOptions {
  /** Base URL of the API for the next request (e.g. a proxy, or processes in turn). */
  base: () => string;
  users: readonly string[];
  /** Parallel request loops. */
  lanes: number;
  /** Pause between two requests of one lane, in ms (0: as fast as answers come). */
  pauseMs?: number;
}

/** Publishes until `stop()`; `records` grows as answers come. */
export class PublishLoop {
  readonly records: PublishRecord[] = [];
  readonly finished: Promise<void>;
  #stopped = false;
  #n = 0;
  #waiters: Array<() => void> = [];

  constructor(private readonly options: PublishLoopOptions) {
    this.finished = Promise.all(Array.from({ length: options.lanes }, () => this.#lane())).then(() => undefined);
  }

  /** Records with a 201. */
  get acked(): PublishRecord[] {
    return this.records.filter((r) => r.status === 201);
  }

  /** Resolves once `count` publishes have been acknowledged in total. */
  async ackedAtLeast(count: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.acked.length < count) {
      if (Date.now() > deadline) throw new Error(`${this.acked.length} of ${count} publishes acknowledged within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Stop after the requests in flight; resolves once they are answered. */
  async stop(): Promise<PublishRecord[]> {
    this.#stopped = true;
    await this.finished;
    return this.records;
  }

  async #lane(): Promise<void> {
    const { users, pauseMs = 0 } = this.options;
    while (!this.#stopped) {
      const n = this.#n++;
      const record = await publishOnce(this.options.base(), users[n % users.length] as string, { n });
      this.records.push(record);
      for (const wake of this.#waiters.splice(0)) wake();
      // A refused connection answers at once: pause a little so a dead target is not hammered in a loop.
      const pause = record.status === 0 ? Math.max(pauseMs, 20) : pauseMs;
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    }
  }
}

/** The value at quantile `q` (0..1) of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** Count of each status in `records`, e.g. `{ "201": 410, "503": 12 }`. */
export function statusCounts(records: readonly PublishRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[String(r.status)] = (out[String(r.status)] ?? 0) + 1;
  return out;
}
