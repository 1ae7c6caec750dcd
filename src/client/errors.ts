/**
 * The one error class of the browser client. `code` is stable: either one of the client's own codes below
 * or a code from the server's errors table (an `error` frame, an HTTP error body).
 *
 * Client codes: `INVALID_OPTIONS`, `INVALID_SERVER_FRAME` (a frame was ignored), `TOKEN_FAILED` (getToken
 * threw), `UNAUTHORIZED` (the server refused a fresh token), `CLOSED` (the server closed with a
 * "do not reconnect" code; `details.code` holds it), `NETWORK_ERROR` and `HTTP_ERROR` (HTTP API calls).
 */
export class TidingsClientError extends Error {
  readonly code: string;
  /** HTTP status, for errors from the HTTP API. */
  readonly status: number | undefined;
  /** Safe-to-show details (close code and reason, the server's field errors…). */
  readonly details: unknown;

  constructor(code: string, message: string, extra: { status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'TidingsClientError';
    this.code = code;
    this.status = extra.status;
    this.details = extra.details;
  }
}
