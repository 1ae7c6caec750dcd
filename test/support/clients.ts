/**
 * The real browser client (`createTidingsClient` from src/client) run in Node over `ws`, recording what a
 * user would see: every notification it emits (with seq and id), its states, the close codes its sockets
 * got, when each socket opened, and its resync requests. Fault tests check delivery end to end with it:
 * the reconnects, backoff and `since` resumes are the client's own.
 */
import WebSocket from 'ws';
import { createTidingsClient, type TidingsClient, type TidingsState } from '../../src/client/index.js';
import { tokenFor } from './tidings.js';

/** What one client saw. */
export interface ClientRecord {
  readonly user: string;
  readonly client: TidingsClient;
  /** Notifications emitted, in order. */
  readonly seen: Array<{ seq: number; id: string; replayed: boolean }>;
  readonly states: TidingsState[];
  /** Close codes of its sockets, as the client saw them. */
  readonly closeCodes: number[];
  /** `performance.now()` of each `open` state (the server's hello). */
  readonly openedAt: number[];
  readonly resyncs: string[];
  /** Resolves once the last notification the client emitted has seq >= `seq`. */
  seenSeq(seq: number, timeoutMs: number): Promise<void>;
  /** Resolves once the client has emitted `count` notifications in all. */
  seenCount(count: number, timeoutMs: number): Promise<void>;
  /** Resolves at the next `open` state (or at once when open and `now` is set). */
  opened(timeoutMs: number): Promise<void>;
}

/** `ws` with the close codes recorded (the client only reports states). */
export function recordingWebSocket(codes: number[]): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.on('close', (code: number) => codes.push(code));
    }
  } as typeof WebSocket;
}

function waitFor(check: () => boolean, subscribe: (wake: () => void) => () => void, timeoutMs: number, what: string): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${what}: not within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/**
 * Start a client of `wsUrl` (`ws://…/inform/`) for `user`. `baseMs` is the backoff base (the browser
 * default is 1000 ms).
 */
export function startClient(wsUrl: string, user: string, options: { baseMs?: number; maxMs?: number } = {}): ClientRecord {
  const closeCodes: number[] = [];
  const client = createTidingsClient({
    url: wsUrl,
    getToken: () => tokenFor(user),
    WebSocket: recordingWebSocket(closeCodes),
    BroadcastChannel: null,
    backoff: { baseMs: options.baseMs ?? 1000, maxMs: options.maxMs ?? 8000 },
  });
  const seen: ClientRecord['seen'] = [];
  const states: TidingsState[] = [];
  const openedAt: number[] = [];
  const resyncs: string[] = [];
  client.on('notification', (n) => seen.push({ seq: n.seq, id: n.id, replayed: n.replayed }));
  client.on('state', (s) => {
    states.push(s);
    if (s === 'open') openedAt.push(performance.now());
  });
  client.on('resync', (r) => resyncs.push(r.reason));
  return {
    user,
    client,
    seen,
    states,
    closeCodes,
    openedAt,
    resyncs,
    seenSeq: (seq, timeoutMs) => waitFor(() => (seen.at(-1)?.seq ?? 0) >= seq, (wake) => client.on('notification', wake), timeoutMs, `${user} sees seq ${seq} (has ${seen.at(-1)?.seq ?? 0})`),
    seenCount: (count, timeoutMs) => waitFor(() => seen.length >= count, (wake) => client.on('notification', wake), timeoutMs, `${user} sees ${count} notifications (has ${seen.length})`),
    opened(timeoutMs) {
      const before = openedAt.length;
      return waitFor(() => openedAt.length > before, (wake) => client.on('state', wake), timeoutMs, `${user} opens`);
    },
  };
}

/** Wait until every client is `open`. */
export async function allOpen(clients: readonly ClientRecord[], timeoutMs: number): Promise<void> {
  await Promise.all(
    clients.map((c) => waitFor(() => c.client.state === 'open', (wake) => c.client.on('state', wake), timeoutMs, `${c.user} open`)),
  );
}

/**
 * Problems in what `c` emitted against the acknowledged seqs of its user: duplicates, seqs out of order,
 * and acknowledged seqs never emitted. Empty when delivery was exact.
 */
export function deliveryProblems(c: ClientRecord, ackedSeqs: Iterable<number>, fromSeq = 0): string[] {
  const problems: string[] = [];
  const seqs = c.seen.map((n) => n.seq).filter((s) => s > fromSeq);
  for (let i = 1; i < seqs.length; i++) if ((seqs[i] as number) <= (seqs[i - 1] as number)) problems.push(`${c.user}: seq ${seqs[i]} after ${seqs[i - 1]}`);
  const ids = c.seen.map((n) => n.id);
  if (new Set(ids).size !== ids.length) problems.push(`${c.user}: ${ids.length - new Set(ids).size} duplicate ids`);
  const got = new Set(seqs);
  const missing = [...ackedSeqs].filter((s) => s > fromSeq && !got.has(s));
  if (missing.length > 0) problems.push(`${c.user}: acknowledged seqs never delivered: ${missing.slice(0, 10).join(',')}${missing.length > 10 ? '…' : ''} (${missing.length})`);
  return problems;
}
