/**
 * WebSocket close codes used by Tidings: one table, shared by server and client.
 *
 * 4000-4499 mean "something transient: reconnect (with backoff)".
 * 4500-4999 mean "do not reconnect until something changes (a new token, a fixed client)".
 * Codes below 4000 are the RFC 6455 codes that `ws` itself uses.
 */
export const CloseCode = {
  /** Normal closure: the client or server is done. */
  NORMAL: 1000,
  /** The server is going away (used by `ws` on server close). */
  GOING_AWAY: 1001,
  /** Protocol error detected by `ws` (reserved bits, bad opcode, unmasked frame). */
  PROTOCOL_ERROR: 1002,
  /** A binary frame sent to a text-only consumer. */
  UNSUPPORTED_DATA: 1003,
  /** Invalid UTF-8 in a text frame. */
  INVALID_PAYLOAD: 1007,
  /** Policy violation (used by `ws` for a message split into more than 16,384 fragments). */
  POLICY_VIOLATION: 1008,
  /** A frame larger than `maxPayload`. */
  MESSAGE_TOO_BIG: 1009,
  /** Unexpected server error outside any consumer. */
  INTERNAL_ERROR: 1011,
  /** The consumer threw: transient, reconnect. */
  CONSUMER_ERROR: 4000,
  /** The server is shutting down or restarting: reconnect (elsewhere) with jitter. */
  SHUTDOWN: 4001,
  /** The client did not read fast enough; its unsent bytes passed the cap. Reconnect and resume. */
  SLOW_CLIENT: 4002,
  /** The peer missed its pong. Seen only by a client still reading; usually the socket is just cut. */
  HEARTBEAT_TIMEOUT: 4003,
  /** Too many messages from the client, or too many connections. Reconnect after a pause. */
  RATE_LIMITED: 4029,
  /** The client sent frames the server cannot use after repeated errors. Do not reconnect. */
  BAD_FRAME: 4500,
  /** Missing, invalid or expired credentials. Get a new token before reconnecting. */
  UNAUTHORIZED: 4501,
  /** Authenticated, but not allowed. Do not reconnect. */
  FORBIDDEN: 4503,
} as const;

/** One of the close codes in {@link CloseCode}. */
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Whether a client should reconnect after this close code.
 * RFC codes other than 1003/1007/1008 are treated as transient.
 */
export function shouldReconnect(code: number): boolean {
  if (code >= 4500 && code <= 4999) return false;
  if (code === 1003 || code === 1007 || code === 1008) return false;
  return true;
}
