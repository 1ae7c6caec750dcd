/**
 * Publishing load: an HTTP keep-alive client and two drivers, "as fast as a window of N in flight allows"
 * and "at a fixed rate". Both are bounded in time and in outstanding requests.
 */
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { BENCH_HOST } from '../lib/net-util.js';
import { anyChange, Counter } from './counter.js';

/** One HTTP request to the server under test. */
export interface HttpRequestSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Status and body of a response. */
export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/** A request failed on a reused keep-alive socket the server had just closed. */
class StaleSocketError extends Error {
  override readonly name = 'StaleSocketError';
}

/** A keep-alive HTTP client bound to 127.0.0.1:`port`; counts the bytes of every socket it used. */
export class HttpClient {
  private readonly agent: Agent;
  private readonly sockets = new Set<Socket>();
  private closed = false;

  constructor(
    private readonly port: number,
    maxSockets = 32,
  ) {
    // FIFO: every socket is used in turn, so none sits idle long enough for the server to close it.
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'fifo' });
  }

  /**
   * Send `spec`; rejects on network errors or after `timeoutMs` (default 30 s), never on HTTP status.
   * A request that fails with ECONNRESET on a reused keep-alive socket is sent once more: the server closed
   * that idle socket as the request went out, so it never saw it (the race Node's docs describe).
   */
  async send(spec: HttpRequestSpec, timeoutMs = 30_000): Promise<HttpResult> {
    try {
      return await this.attempt(spec, timeoutMs);
    } catch (err) {
      if (!(err instanceof StaleSocketError) || this.closed) throw err;
      return this.attempt(spec, timeoutMs);
    }
  }

  private attempt(spec: HttpRequestSpec, timeoutMs: number): Promise<HttpResult> {
    if (this.closed) return Promise.reject(new Error('HTTP client closed'));
    return new Promise((resolve, reject) => {
      const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
      const headers: Record<string, string | number> = { ...spec.headers };
      if (body) {
        headers['content-type'] ??= 'application/json';
        headers['content-length'] = body.length;
      }
      const req = request(
        { host: BENCH_HOST, port: this.port, method: spec.method, path: spec.path, headers, agent: this.agent, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('socket', (socket: Socket) => this.sockets.add(socket));
      req.on('timeout', () => req.destroy(new Error(`HTTP ${spec.method} ${spec.path} timed out`)));
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(req.reusedSocket && err.code === 'ECONNRESET' ? new StaleSocketError(err.message) : err),
      );
      req.end(body);
    });
  }

  /** Bytes read plus written on every socket this client used (HTTP headers included). */
  wireBytes(): number {
    let total = 0;
    for (const socket of this.sockets) total += socket.bytesRead + socket.bytesWritten;
    return total;
  }

  /** Close every socket (pending requests fail, nothing is retried). */
  close(): void {
    this.closed = true;
    this.agent.destroy();
  }
}

/** Totals of a publishing run. */
export interface PublishReport {
  readonly published: number;
  /** Requests that failed or got an unexpected status. */
  readonly errors: number;
  /** Fixed rate only: messages not sent because too many were outstanding. */
  readonly skipped: number;
  readonly ms: number;
  /** First error message, if any. */
  readonly firstError?: string;
}

/** Publish message number `i`; resolve when the server accepted it, reject otherwise. */
export type PublishFn = (i: number) => Promise<void>;

/** Options of {@link publishWindowed}. */
export interface WindowOptions {
  readonly window: number;
  readonly durationMs: number;
  readonly publish: PublishFn;
  /** Deliveries seen by a watcher socket: a message leaves the window only once it was delivered too. */
  readonly delivered?: Counter;
  /** Give up when nothing moves for this long (ms). Default 10000. */
  readonly stallMs?: number;
  /** Stop publishing before `durationMs` once this returns true (checked before every message). */
  readonly stopWhen?: () => boolean;
}

/** Counts of a publishing run; `done` ticks when a publish settles (either way). */
class Tally {
  published = 0;
  errors = 0;
  skipped = 0;
  outstanding = 0;
  firstError: string | undefined;
  readonly done = new Counter();
  private readonly started = Date.now();

  /** Track one publish. */
  track(publish: Promise<void>): void {
    this.published++;
    this.outstanding++;
    publish
      .catch((err: unknown) => {
        this.errors++;
        this.firstError ??= err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        this.outstanding--;
        this.done.add();
      });
  }

  get elapsedMs(): number {
    return Date.now() - this.started;
  }

  report(): PublishReport {
    return { published: this.published, errors: this.errors, skipped: this.skipped, ms: this.elapsedMs, firstError: this.firstError };
  }
}

/** Publish as fast as `window` messages in flight allow, for `durationMs`; then wait for the last ones. */
export async function publishWindowed(options: WindowOptions): Promise<PublishReport> {
  const tally = new Tally();
  const delivered = options.delivered ?? tally.done;
  const deliveredBase = delivered.value;
  // A message leaves the window once it settled and (with a delivery counter) was delivered; a failed
  // publish will never be delivered, so it counts as delivered.
  const confirmed = (): number => Math.min(tally.done.value, delivered.value - deliveredBase + tally.errors);
  const stallMs = options.stallMs ?? 10_000;
  const waitOne = async (): Promise<void> => {
    if (!(await anyChange([tally.done, delivered], stallMs))) throw new Error(`publisher stalled: nothing delivered for ${stallMs} ms`);
  };
  while (tally.elapsedMs < options.durationMs && !options.stopWhen?.()) {
    if (tally.published - confirmed() >= options.window) await waitOne();
    else tally.track(options.publish(tally.published));
  }
  while (confirmed() < tally.published) await waitOne();
  return tally.report();
}

/** Options of {@link publishAtRate}. */
export interface RateOptions {
  /** Messages per second. */
  readonly rate: number;
  readonly durationMs: number;
  readonly publish: PublishFn;
  /** Most requests outstanding; beyond it messages are skipped and counted. Default 4096. */
  readonly maxOutstanding?: number;
}

/** Publish at `rate` messages per second for `durationMs` (schedule by absolute time, no drift). */
export async function publishAtRate(options: RateOptions): Promise<PublishReport> {
  const limit = options.maxOutstanding ?? 4096;
  const total = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
  const tally = new Tally();
  for (let i = 0; i < total; ) {
    const due = Math.min(total, Math.floor((tally.elapsedMs * options.rate) / 1000) + 1);
    for (; i < due; i++) {
      if (tally.outstanding >= limit) tally.skipped++;
      else tally.track(options.publish(i));
    }
    if (i < total) await new Promise((resolve) => setTimeout(resolve, Math.max(0, (i * 1000) / options.rate - tally.elapsedMs)));
  }
  while (tally.outstanding > 0) {
    if (!(await anyChange([tally.done], 30_000))) throw new Error('publisher: requests outstanding after 30 s');
  }
  return tally.report();
}
