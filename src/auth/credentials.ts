/**
 * Where a request's credentials are: the token (`Authorization: Bearer`, a `tidings.bearer.<token>`
 * subprotocol, `?token=`, the session cookie) and the API key (`Authorization: Bearer` on the HTTP API),
 * compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { TOKEN_PROTOCOL_PREFIX } from '../protocol/subprotocol.js';

/** Parse one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The token offered as a `tidings.bearer.<token>` subprotocol, if any. */
function tokenFromProtocols(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(',')) {
    const p = part.trim();
    if (p.startsWith(TOKEN_PROTOCOL_PREFIX)) return p.slice(TOKEN_PROTOCOL_PREFIX.length);
  }
  return undefined;
}

/** The `Authorization: Bearer` credential of a request, if any. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/**
 * The token of a request: `Authorization: Bearer`, then a `tidings.bearer.<token>` subprotocol, then
 * `?token=` (kept for existing clients; it ends up in access logs), then the cookie.
 */
export function tokenFrom(headers: IncomingHttpHeaders, query: URLSearchParams | null, cookieName: string): string | undefined {
  const fromHeader = bearerToken(headers);
  if (fromHeader) return fromHeader;
  const fromProtocol = tokenFromProtocols(headers['sec-websocket-protocol']);
  if (fromProtocol) return fromProtocol;
  const fromQuery = query?.get('token');
  if (fromQuery) return fromQuery;
  return readCookie(headers.cookie, cookieName);
}

// (crypto.hash would be quicker, but needs Node 20.12; engines allow any Node 20.)
/** SHA-256 of `text` (API-key comparison, the token cache's keys). */
export const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Compare an API key in constant time (digests, so different lengths leak nothing either). Stateless: no
 * module-wide cache shared by the apps of a process (a digest of a short key costs about a microsecond).
 */
export function apiKeyMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(sha256(given), sha256(expected));
}
