/**
 * Every error Tidings reports, in one table: code -> HTTP status, WebSocket close code (when the error ends
 * a connection) and a default message. `docs/errors.md` is this table in prose; keep them in step.
 */
import { CloseCode } from './protocol/close-codes.js';

interface ErrorSpec {
  /** HTTP status when the error answers a request. */
  readonly status: number;
  /** Close code when the error ends a WebSocket connection; absent when the connection is kept. */
  readonly close?: number;
  readonly message: string;
}

export const ERRORS = {
  BAD_JSON: { status: 400, message: 'frame is not valid JSON' },
  INVALID_FRAME: { status: 400, message: 'frame does not match the protocol' },
  INVALID_BODY: { status: 400, message: 'request body is invalid' },
  INVALID_NAME: { status: 400, message: 'channel or group name is invalid' },
  BAD_CURSOR: { status: 400, message: 'cannot resume from that sequence number' },
  BAD_HANDSHAKE: { status: 400, message: 'not a valid WebSocket handshake' },
  BAD_FRAME: { status: 400, close: CloseCode.BAD_FRAME, message: 'too many unusable frames' },
  UNAUTHORIZED: { status: 401, close: CloseCode.UNAUTHORIZED, message: 'missing or invalid credentials' },
  TOKEN_EXPIRED: { status: 401, close: CloseCode.UNAUTHORIZED, message: 'token expired' },
  FORBIDDEN: { status: 403, close: CloseCode.FORBIDDEN, message: 'not allowed' },
  ORIGIN_NOT_ALLOWED: { status: 403, message: 'origin not allowed' },
  NOT_FOUND: { status: 404, message: 'not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed' },
  PAYLOAD_TOO_LARGE: { status: 413, close: CloseCode.MESSAGE_TOO_BIG, message: 'payload too large' },
  MESSAGE_TOO_LARGE: { status: 413, message: 'message larger than the channel layer accepts' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'expected application/json' },
  UNSUPPORTED_DATA: { status: 400, close: CloseCode.UNSUPPORTED_DATA, message: 'binary frames are not accepted' },
  RATE_LIMITED: { status: 429, close: CloseCode.RATE_LIMITED, message: 'too many requests' },
  TOO_MANY_CONNECTIONS: { status: 429, message: 'too many connections' },
  CONSUMER_ERROR: { status: 500, close: CloseCode.CONSUMER_ERROR, message: 'internal error in consumer' },
  INTERNAL: { status: 500, close: CloseCode.INTERNAL_ERROR, message: 'internal error' },
  CHANNEL_FULL: { status: 503, message: 'channel is at capacity' },
  LAYER_UNAVAILABLE: { status: 503, message: 'channel layer unavailable' },
  INBOX_UNAVAILABLE: { status: 503, message: 'inbox database unavailable' },
  SHUTTING_DOWN: { status: 503, close: CloseCode.SHUTDOWN, message: 'server is shutting down' },
  SLOW_CLIENT: { status: 503, close: CloseCode.SLOW_CLIENT, message: 'client did not keep up' },
  CONFIG_INVALID: { status: 500, message: 'configuration is invalid' },
} as const satisfies Record<string, ErrorSpec>;

/** One of the codes in {@link ERRORS}. */
export type ErrorCode = keyof typeof ERRORS;

/**
 * The one error class of Tidings. `code` is stable and documented; `message` is for humans;
 * `details` is safe to show to the caller (e.g. zod field errors); `cause` is for logs only.
 */
export class TidingsError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message ?? ERRORS[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TidingsError';
    this.code = code;
    this.details = options.details;
  }

  /** HTTP status for this error. */
  get status(): number {
    return ERRORS[this.code].status;
  }

  /** WebSocket close code for this error, if it ends a connection. */
  get closeCode(): number | undefined {
    const spec: ErrorSpec = ERRORS[this.code];
    return spec.close;
  }

  /** The JSON body (HTTP) or error frame fields (WebSocket) for this error. */
  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** Raised by `ChannelLayer.send` when the target channel holds `capacity` undelivered messages. */
export class ChannelFullError extends TidingsError {
  constructor(channel: string) {
    super('CHANNEL_FULL', `channel ${channel} is at capacity`);
    this.name = 'ChannelFullError';
  }
}

/** Whether `err` is a TidingsError (across module copies too). */
export function isTidingsError(err: unknown): err is TidingsError {
  return err instanceof TidingsError;
}
