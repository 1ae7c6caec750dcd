/**
 * Polling clients for the bytes-on-the-wire comparison: one keep-alive connection per user, either short
 * polling (a request every second, answered at once) or long polling (a request that waits up to 25 s for
 * the next notification, re-issued as soon as it returns). Bytes are counted on the sockets.
 */
import { sleep } from '../lib/time.js';
import { HttpClient, type HttpRequestSpec } from './publisher.js';

/** Options of {@link runPollers}. */
export interface PollersOptions {
  readonly port: number;
  readonly users: readonly string[];
  readonly mode: 'short' | 'long';
  /** Poll until this signal is aborted. */
  readonly signal: AbortSignal;
  /** Short polling: milliseconds between requests. Default 1000. */
  readonly intervalMs?: number;
  /** Long polling: seconds a request may wait. Default 25. */
  readonly waitSeconds?: number;
  request(user: string, since: number, waitSeconds: number): HttpRequestSpec;
  parse(body: string): { readonly count: number; readonly seq: number };
}

/** What the pollers did. */
export interface PollersReport {
  readonly requests: number;
  readonly delivered: number;
  readonly wireBytes: number;
  readonly errors: number;
  readonly firstError?: string;
}

interface Tally {
  requests: number;
  delivered: number;
  errors: number;
  firstError?: string;
}

async function pollUser(user: string, index: number, options: PollersOptions, client: HttpClient, tally: Tally): Promise<void> {
  const interval = options.intervalMs ?? 1000;
  const wait = options.mode === 'long' ? (options.waitSeconds ?? 25) : 0;
  let since = 0;
  if (options.mode === 'short') await sleep((interval * index) / options.users.length); // spread the requests
  while (!options.signal.aborted) {
    const started = Date.now();
    try {
      const res = await client.send(options.request(user, since, wait), (wait + 30) * 1000);
      tally.requests++;
      if (res.status !== 200) throw new Error(`poll answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
      const page = options.parse(res.body);
      tally.delivered += page.count;
      since = Math.max(since, page.seq);
    } catch (err) {
      if (options.signal.aborted) return;
      tally.errors++;
      tally.firstError ??= err instanceof Error ? err.message : String(err);
      await sleep(interval);
    }
    if (options.mode === 'short') await sleep(Math.max(0, started + interval - Date.now()));
  }
}

/** Poll for every user until `signal` aborts; then close the connections and report. */
export async function runPollers(options: PollersOptions): Promise<PollersReport> {
  const client = new HttpClient(options.port, options.users.length);
  const tally: Tally = { requests: 0, delivered: 0, errors: 0 };
  const loops = options.users.map((user, i) => pollUser(user, i, options, client, tally));
  if (!options.signal.aborted) {
    await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  const report = { ...tally, wireBytes: client.wireBytes() };
  client.close();
  await Promise.allSettled(loops);
  return report;
}
