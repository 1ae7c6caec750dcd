/**
 * The socket lifecycle, without the meaning of frames: get a token, open the socket, watch for a dead link,
 * reconnect with backoff, retry once with a fresh token after 4501, refresh the token before it expires.
 * The client ({@link createTidingsClient}) reads the frames and tells the connection when `hello` arrived.
 */
import { CloseCode, shouldReconnect } from '../protocol/close-codes.js';
import type { ClientFrame } from '../protocol/frames.js';
import { tokenProtocols } from '../protocol/subprotocol.js';
import { createBackoff } from './backoff.js';
import { TidingsClientError } from './errors.js';
import type { GetToken, TidingsState, WebSocketConstructor, WebSocketLike } from './types.js';
import { createTimers, tokenExpiry } from './util.js';

/** Settings of {@link createConnection} (defaults already applied by the client). */
export interface ConnectionOptions {
  url: URL;
  getToken: GetToken | undefined;
  WebSocket: WebSocketConstructor;
  baseMs: number;
  maxMs: number;
  stableAfterMs: number;
  connectTimeoutMs: number;
  refreshBeforeMs: number;
  random: () => number;
  /** Where the token goes: a subprotocol (default: out of URLs and access logs) or `?token=`. */
  tokenIn: 'protocol' | 'query';
  /** The resume cursor to put in the URL as `since`, read at each connect. */
  cursor(): number | undefined;
  onData(data: unknown): void;
  onState(state: TidingsState): void;
  onError(error: TidingsClientError): void;
}

/** A self-reconnecting socket. */
export interface Connection {
  /** The token of the current connection (for HTTP calls), if any. */
  readonly token: string | null | undefined;
  /** The server said `hello` (auth accepted): go `open`, start the ping watchdog. `ping` is in seconds. */
  opened(ping: number): void;
  /** Sends a frame if the connection is open; false otherwise. */
  send(frame: ClientFrame): boolean;
  reconnect(): void;
  close(): void;
}

const DEFAULT_PING_S = 25;
/** After a 4001 the backoff starts at this attempt: the first delay is uniform in [0, min(maxMs, 4 * baseMs)). */
const SHUTDOWN_ATTEMPT = 2;

/** Starts connecting on the next microtask. */
export function createConnection(o: ConnectionOptions): Connection {
  const backoff = createBackoff({ baseMs: o.baseMs, maxMs: o.maxMs, random: o.random });
  const timers = createTimers();
  let ws: WebSocketLike | null = null;
  let token: string | null | undefined;
  let state: TidingsState | undefined;
  let pingMs = DEFAULT_PING_S * 1000;
  let authRetried = false;
  let generation = 0;
  let finished = false;

  const setState = (next: TidingsState): void => {
    if (next === state) return;
    state = next;
    o.onState(next);
  };
  function urlWithParams(): string {
    const url = new URL(o.url);
    if (token && o.tokenIn === 'query') url.searchParams.set('token', token);
    const since = o.cursor();
    if (since !== undefined) url.searchParams.set('since', String(since));
    return url.href;
  }

  async function connect(): Promise<void> {
    drop();
    const mine = ++generation;
    setState('connecting');
    try {
      token = o.getToken ? await o.getToken() : undefined;
    } catch (err) {
      if (mine !== generation) return;
      o.onError(new TidingsClientError('TOKEN_FAILED', 'getToken() failed', { cause: err }));
      return retry();
    }
    if (mine !== generation) return;
    try {
      const url = urlWithParams();
      attach(token && o.tokenIn === 'protocol' ? new o.WebSocket(url, tokenProtocols(token)) : new o.WebSocket(url));
    } catch (err) {
      o.onError(new TidingsClientError('NETWORK_ERROR', 'cannot open the WebSocket', { cause: err }));
      retry();
    }
  }

  function attach(socket: WebSocketLike): void {
    ws = socket;
    socket.onmessage = (event) => {
      if (ws !== socket) return;
      watch(2 * pingMs);
      o.onData(event.data);
    };
    socket.onclose = (event) => {
      if (ws === socket) lost(event.code, event.reason);
    };
    // A failed socket always closes too; the close event carries the decision.
    socket.onerror = () => undefined;
    watch(o.connectTimeoutMs);
  }

  /** No frame (not even a server ping) for this long: the link is dead even if the socket looks open. */
  function watch(ms: number): void {
    timers.set('watchdog', ms, () => {
      drop(CloseCode.HEARTBEAT_TIMEOUT);
      retry();
    });
  }

  /** Forgets the socket (its late events are ignored) and all timers; closes it if `code` is given. */
  function drop(code?: number): void {
    const socket = ws;
    ws = null;
    timers.clearAll();
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    if (code !== undefined) {
      try {
        socket.close(code);
      } catch {
        // Already closing: nothing more to do.
      }
    }
  }

  function lost(code: number, reason: string): void {
    drop();
    if (code === CloseCode.UNAUTHORIZED && !authRetried) {
      authRetried = true; // one more getToken(): the token may simply have expired
      return retry();
    }
    if (code === CloseCode.UNAUTHORIZED) {
      setState('unauthorized');
      o.onError(new TidingsClientError('UNAUTHORIZED', reason || 'the server refused the token', { details: { code } }));
    } else if (!shouldReconnect(code)) {
      setState('closed');
      o.onError(new TidingsClientError('CLOSED', `the server closed the connection (${code})`, { details: { code, reason } }));
    } else {
      // 4001: a draining process closes all its sockets at once, and a restart of every process closes them
      // all. Starting from a window 4x the base spreads that crowd over seconds rather than one spike.
      if (code === CloseCode.SHUTDOWN) backoff.skipTo(SHUTDOWN_ATTEMPT);
      retry();
    }
  }

  function retry(): void {
    setState('offline');
    timers.set('retry', backoff.next(), () => void connect());
  }

  function scheduleRefresh(): void {
    const exp = tokenExpiry(token);
    const getToken = o.getToken;
    if (exp === undefined || !getToken) return;
    const left = exp - Date.now();
    timers.set('refresh', Math.max(1000, left - Math.min(o.refreshBeforeMs, left / 2)), async () => {
      const mine = generation;
      try {
        const next = await getToken();
        if (mine !== generation || !next || state !== 'open') return;
        token = next;
        send({ type: 'refresh', token: next });
        scheduleRefresh();
      } catch (err) {
        // Not fatal: if the token does expire, the server closes with 4501 and we retry once.
        o.onError(new TidingsClientError('TOKEN_FAILED', 'getToken() failed during refresh', { cause: err }));
      }
    });
  }

  function send(frame: ClientFrame): boolean {
    if (!ws || state !== 'open' || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  // Coming back online: don't sit out the rest of a long backoff wait.
  const events = globalThis as unknown as {
    addEventListener?(type: string, fn: () => void): void;
    removeEventListener?(type: string, fn: () => void): void;
  };
  const onOnline = (): void => {
    if (state === 'offline') void connect();
  };
  events.addEventListener?.('online', onOnline);
  // On a microtask, so that listeners attached right after creation see the first events.
  queueMicrotask(() => {
    if (!finished) void connect();
  });

  return {
    get token() {
      return token;
    },
    opened(ping) {
      authRetried = false;
      if (ping > 0) pingMs = ping * 1000;
      watch(2 * pingMs);
      timers.set('stable', o.stableAfterMs, () => backoff.reset());
      scheduleRefresh();
      setState('open');
    },
    send,
    reconnect() {
      if (finished) return;
      authRetried = false;
      drop(CloseCode.NORMAL);
      state = undefined; // leave 'unauthorized' / 'closed'
      void connect();
    },
    close() {
      finished = true;
      events.removeEventListener?.('online', onOnline);
      generation++;
      drop(CloseCode.NORMAL);
      setState('closed');
    },
  };
}
