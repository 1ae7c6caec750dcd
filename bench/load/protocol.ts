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
  /** Milliseconds per handshake. */
  readonly timeoutMs: number;
}

/** A command to a worker. */
export type WorkerCommand =
  | ({ readonly cmd: 'connect'; readonly sockets: readonly SocketSpec[] } & ConnectSettings)
  | { readonly cmd: 'reset' }
  | { readonly cmd: 'stats'; readonly expected?: number; readonly latency?: boolean }
  | { readonly cmd: 'close' };
