/** Errors raised by every inbox backend, so that callers see the same codes whatever the database. */
import { TidingsError, isTidingsError } from '../errors.js';

/** The error for any call on a closed store (or a write still queued when the store could not flush it). */
export function closedError(): TidingsError {
  return new TidingsError('INBOX_UNAVAILABLE', 'inbox store is closed');
}

/**
 * Wrap a database failure as `INBOX_UNAVAILABLE` (HTTP 503: safe to retry, nothing was stored half-way).
 * A TidingsError passes through unchanged. The driver's error stays in `cause` for the logs; the message
 * names only the operation and the driver's error code, never SQL or connection details.
 */
export function unavailable(err: unknown, operation: string): TidingsError {
  if (isTidingsError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const suffix = typeof code === 'string' ? ` (${code})` : '';
  return new TidingsError('INBOX_UNAVAILABLE', `inbox database unavailable during ${operation}${suffix}`, {
    cause: err,
  });
}

/** An invalid argument: `INVALID_BODY` (HTTP 400) naming the field. */
export function invalid(field: string, message: string, cause?: unknown): TidingsError {
  return new TidingsError('INVALID_BODY', message, { cause, details: { field } });
}
