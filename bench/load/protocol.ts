/** Messages between the harness and its load-generator workers (child processes over IPC). */

/** One socket to open: its request path and whether it keeps payloads for latency. */
export interface SocketSpec {
  readonly path: string;
  readonly capture: boolean;
}

/** Result of a connect command. */
export interface ConnectReport {
  readonly connected: number;
  readonly failed: number;
  /** A few distinct failure reasons. */
  readonly errors: readonly string[];
  readonly ms: number;
  /**
   * Milliseconds from each socket's TCP connect to its readiness (the 101, or the `ready` frame), for the
   * sockets that connected; only when the connect was paced (`rate`).
   */
  readonly handshakeMs?: readonly number[];
}

/** Counters of a pool since its last reset. */
export interface PoolStats {
  readonly sockets: number;
  /** Sockets whose TCP connection is still up. */
  readonly open: number;
  readonly deliveries: number;
  /** Bytes read + written on all sockets since the reset (headers included). */
  readonly wireBytes: number;
  /** Close codes received, by code. */
  readonly closeCodes: Readonly<Record<string, number>>;
  /** Sockets that received fewer deliveries than expected, and the deliveries they lack. */
  readonly lossSockets: number;
  readonly missing: number;
  /** Latency samples in milliseconds (bounded reservoir) and how many were offered. */
  readonly latency: readonly number[];
  readonly latencyOffered: number;
}

/** Options of one benchmark client (raw or `ws`); `C` is the client type passed back to `onDelivery`. */
export interface ClientOptions<C> {
  readonly host: string;
  readonly port: number;
  /** Request path with query, e.g. `/inform/?token=…`. */
  readonly path: string;
  /** Substrings marking a delivery near the start of a text frame. */
  readonly needles: readonly Buffer[];
  /** Keep whole payloads of deliveries (for latency). */
  readonly capture: boolean;
  /** Resolve the connect only once a frame with this substring arrived (the server's greeting). */
  readonly readyNeedle?: Buffer;
  /** Milliseconds allowed for connect + handshake (+ greeting). */
  readonly timeoutMs: number;
  /** Called for every delivery; `payload` only when capturing. */
  readonly onDelivery?: (client: C, payload: Buffer | undefined) => void;
}

/** How the sockets of one pool connect. */
export interface ConnectSettings {
  readonly host: string;
  readonly port: number;
  /** `raw`: hand-made handshake and header-only frame counting; `ws`: the `ws` package. */
  readonly mode: 'raw' | 'ws';
  /** Substrings marking a delivery near the start of a text frame. */
  readonly needles: readonly string[];
  /** Sockets connecting at once. */
  readonly batchSize: number;
  /** Milliseconds per handshake (and greeting). */
  readonly timeoutMs: number;
  /** A socket counts as connected once a frame with this substring arrived (e.g. `"type":"hello"`). */
  readonly ready?: string;
  /**
   * Connections started per second by this worker, evenly spaced (a reconnect storm), instead of batches of
   * `batchSize` at once; the report then carries every socket's handshake time.
   */
  readonly rate?: number;
}

/** A command to a worker. */
export type WorkerCommand =
  | ({ readonly cmd: 'connect'; readonly sockets: readonly SocketSpec[] } & ConnectSettings)
  | { readonly cmd: 'reset' }
  | { readonly cmd: 'stats'; readonly expected?: number; readonly latency?: boolean }
  | { readonly cmd: 'close' }
  /** Drop every socket of the worker and forget them (the worker stays up for the next connect). */
  | { readonly cmd: 'drop' };
