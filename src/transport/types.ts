/**
 * A transport is one accepted WebSocket connection, as a consumer sees it: send text/binary, close with a
 * code, and receive messages and the close. Backends: `WsTransport` (a real socket, with heartbeat and a
 * cap on unsent bytes) and `MemoryTransport` (no network, for the test communicator).
 */

/** An outgoing text message encoded once, so a broadcast costs one encoding for all its recipients. */
export interface PreparedText {
  /** The text as sent. */
  readonly text: string;
  /** The whole WebSocket frame (header + UTF-8 payload, unmasked), built on first use and then shared. */
  frame(): Buffer;
}

/** Receives what the peer sends. Set once by the consumer runtime right after accept. */
export interface TransportHandlers {
  /** A complete message. `data` is a string for text frames and a Buffer for binary frames. */
  message(data: string | Buffer, isBinary: boolean): void;
  /** The connection closed (by either side, or was cut). Called exactly once. */
  close(code: number, reason: string): void;
}

export interface Transport {
  /** Whether messages can still be sent. */
  readonly isOpen: boolean;
  /**
   * An application-level ping sent with each heartbeat (browsers cannot see protocol pings), or null for
   * none. The `/inform/` consumer sets `{"type":"ping"}`.
   */
  appPing: PreparedText | null;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  /**
   * Unsent bytes are past half the cap: hold back whatever can be sent later (a personal notification can
   * be re-read from the inbox) until {@link drained} resolves, so a burst or a large replay to a client that
   * reads promptly never reaches the cap.
   */
  readonly backlogged: boolean;
  /** Resolves once the unsent bytes are below the backlog mark again, or the connection has closed. */
  drained(): Promise<void>;
  /** Remote address (after proxy-header resolution). */
  readonly remoteAddress: string;
  /** Install the handlers. Messages arriving before this are held and delivered on install. */
  setHandlers(handlers: TransportHandlers): void;
  /**
   * Send a text message. Messages sent in one tick are written together. If the unsent bytes pass the
   * cap, the connection is closed with 4002 (slow client) and further sends are dropped.
   */
  sendText(text: string | PreparedText): void;
  /** Send a binary message. Same cap as sendText. */
  sendBinary(data: Uint8Array): void;
  /**
   * Start a close handshake with `code` (1000 or 3000-4999) and a short reason. Idempotent. Pass a code:
   * without one, `WsTransport` sends a close frame with no code (the peer reads 1005), as `ws` does.
   */
  close(code?: number, reason?: string): void;
}
