/**
 * Middleware for WebSocket applications: origin checks (protection against cross-site WebSocket hijacking)
 * and authentication. Both refuse with an HTTP status before the upgrade.
 */
import { isTidingsError } from '../errors.js';
import { TOKEN_PROTOCOL_PREFIX } from '../protocol/subprotocol.js';
import type { Middleware, Scope, User } from './app.js';

/**
 * Whether `origin` is allowed. `allowed` holds exact origins (`https://app.example.com`), host wildcards
 * (`https://*.example.com`) or `*`. An empty list means same-origin: the Origin's host must equal the
 * request's Host header. A request without an Origin header (not a browser) is allowed: browsers always
 * send one on WebSocket handshakes, and only browsers carry a victim's cookies.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes('*')) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (allowed.length === 0) return host !== undefined && parsed.host.toLowerCase() === host.toLowerCase();
  const normalised = `${parsed.protocol}//${parsed.host}`.toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase().replace(/\/+$/, '');
    if (!p.includes('*')) return p === normalised;
    const [scheme, rest] = p.split('://', 2) as [string, string | undefined];
    if (rest === undefined || !rest.startsWith('*.')) return false;
    return parsed.protocol === `${scheme}:` && parsed.host.toLowerCase().endsWith(rest.slice(1));
  });
}

/** Refuse handshakes whose Origin is not allowed (HTTP 403, code ORIGIN_NOT_ALLOWED). */
export function originValidator(allowed: readonly string[]): Middleware {
  return (inner) => (scope, handshake) => {
    const host = typeof scope.headers.host === 'string' ? scope.headers.host : undefined;
    if (isOriginAllowed(scope.origin, host, allowed)) return inner(scope, handshake);
    handshake.log.info({ origin: scope.origin }, 'origin refused');
    handshake.reject('ORIGIN_NOT_ALLOWED');
  };
}

/** Finds the user of a connection: a user, null for anonymous, or throws a TidingsError (401/403). */
export type Authenticator = (scope: Scope) => Promise<User | null> | User | null;

export interface AuthMiddlewareOptions {
  /**
   * How a refused authentication is answered. `reject` (default): HTTP status before the upgrade (401/403).
   * `close`: accept, then close at once with the error's close code (4501/4503) and its code as the reason —
   * browsers cannot read an HTTP status from a failed WebSocket handshake, but they can read a close code.
   */
  refuseWith?: 'reject' | 'close';
}

/**
 * Put `scope.user` from `authenticate`. A TidingsError from it refuses the connection (see
 * {@link AuthMiddlewareOptions.refuseWith}); any other error refuses with HTTP 500 and is logged.
 */
export function authMiddleware(authenticate: Authenticator, options: AuthMiddlewareOptions = {}): Middleware {
  return (inner) => async (scope, handshake) => {
    try {
      scope.user = await authenticate(scope);
    } catch (err) {
      if (isTidingsError(err)) {
        handshake.log.info({ code: err.code }, 'authentication refused');
        if (options.refuseWith === 'close' && err.closeCode !== undefined) {
          // A browser that offered subprotocols fails a handshake answered without one, and would never see
          // the close code: answer with the first one that carries no credential.
          handshake.accept(scope.subprotocols.find((p) => !p.startsWith(TOKEN_PROTOCOL_PREFIX))).close(err.closeCode, err.code);
        } else {
          handshake.reject(err.code, err.message);
        }
      } else {
        handshake.log.error({ err }, 'authenticator failed');
        handshake.reject('INTERNAL');
      }
      return;
    }
    return inner(scope, handshake);
  };
}
