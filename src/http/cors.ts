/**
 * CORS for the browser-facing API (`/v1/me/*`), so that a `<tidings-bell>` on another origin can list and
 * mark its user's notifications. The same `allowedOrigins` setting that admits sockets admits requests:
 * - an Origin matched by an explicit entry gets `Access-Control-Allow-Origin: <origin>` with credentials
 *   (cookies and Bearer tokens both work);
 * - `*` admits any Origin without credentials (`Access-Control-Allow-Origin: *`: Bearer tokens only);
 * - a same-origin request (Origin host = Host) needs nothing and gets nothing;
 * - any other Origin is refused with 403 ORIGIN_NOT_ALLOWED, preflight included.
 * Preflights (`OPTIONS`) are answered here with 204 and never reach the routes.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isOriginAllowed } from '../consumer/index.js';
import { TidingsError } from '../errors.js';
import { sendJson } from './router.js';

/** Options of {@link withCors}. */
export interface CorsOptions {
  /** The configured `allowedOrigins` (explicit origins, `https://*.example.com` patterns, or `*`). */
  allowedOrigins: readonly string[];
  /** Path prefixes that take cross-origin requests. Default `['/v1/me/']`. */
  prefixes?: readonly string[];
  /** Seconds a browser may cache a preflight answer. Default 600. */
  maxAge?: number;
}

const ALLOW_METHODS = 'GET, POST, OPTIONS';
const ALLOW_HEADERS = 'authorization, content-type, accept';

/** What the request may have: `null` for "not a cross-origin request", else its CORS response headers. */
function corsHeaders(req: IncomingMessage, allowed: readonly string[]): Record<string, string> | null | 'refused' {
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return null;
  const host = req.headers.host;
  if (isOriginAllowed(origin, host, [])) return null; // same origin
  const explicit = allowed.filter((entry) => entry !== '*');
  if (explicit.length > 0 && isOriginAllowed(origin, host, explicit)) {
    return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
  }
  if (allowed.includes('*')) return { 'access-control-allow-origin': '*', vary: 'Origin' };
  return 'refused';
}

function refuse(res: ServerResponse): void {
  const err = new TidingsError('ORIGIN_NOT_ALLOWED', 'this origin is not in allowedOrigins (TIDINGS_ALLOWED_ORIGINS)');
  sendJson(res, err.status, err.toJSON(), { vary: 'Origin' });
}

/**
 * Wraps `inner` with CORS for the paths under `prefixes`: answers preflights, adds the response headers,
 * refuses Origins that are not allowed. Requests outside those paths pass through untouched.
 */
export function withCors(inner: RequestListener, options: CorsOptions): RequestListener {
  const prefixes = options.prefixes ?? ['/v1/me/'];
  const maxAge = String(options.maxAge ?? 600);
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (!prefixes.some((prefix) => path.startsWith(prefix))) return inner(req, res);
    const headers = corsHeaders(req, options.allowedOrigins);
    if (headers === 'refused') return refuse(res);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...headers, 'access-control-allow-methods': ALLOW_METHODS, 'access-control-allow-headers': ALLOW_HEADERS, 'access-control-max-age': maxAge, 'content-length': '0' });
      return void res.end();
    }
    if (headers) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    inner(req, res);
  };
}
