/**
 * Who is asking: the one place an HTTP request's user is learned (`/v1/me/*`, long polling, the per-user
 * reads, the reach routes, the demo). With the app's socket authenticator (a custom `authenticate` given to
 * `createTidings`), a request is authenticated exactly like a socket: the same function gets a scope made
 * from the request (headers, cookies, client address; no query string, since a token in an HTTP URL ends up
 * in access logs). Without one, the request's own token (`Authorization: Bearer` or the cookie) is verified.
 */
import type { IncomingMessage } from 'node:http';
import { TidingsError } from '../errors.js';
import type { Authenticator, Scope, User } from '../consumer/index.js';
import { apiKeyMatches, bearerToken, tokenFrom } from './credentials.js';
import type { TokenVerifier } from './tokens.js';

/** The parts of an HTTP request that authentication reads (an `HttpContext` is one). */
export interface AuthRequest {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Client address (after proxy-header resolution). */
  readonly ip: string;
  readonly params: Readonly<Record<string, string>>;
}

/** How a request's user is found. */
export interface UserSource {
  verifier?: TokenVerifier | null;
  cookieName?: string;
  /** The socket authenticator, when the app brought its own: HTTP requests go through it too. */
  authenticate?: Authenticator;
}

const NO_QUERY = new URLSearchParams();

/** The request as a scope for a socket authenticator. */
function scopeOf(request: AuthRequest): Scope {
  const origin = request.req.headers.origin;
  return {
    type: 'http',
    path: request.url.pathname,
    query: NO_QUERY,
    headers: request.req.headers,
    client: { ip: request.ip, port: request.req.socket.remotePort ?? 0 },
    origin: typeof origin === 'string' ? origin : undefined,
    subprotocols: [],
    params: { ...request.params },
    user: null,
    state: {},
  };
}

/**
 * The user of a request, authenticated like the socket.
 * @throws TidingsError UNAUTHORIZED (no valid credentials, or an anonymous one), TOKEN_EXPIRED, or what the
 *   authenticator throws.
 */
export async function requireUser(request: AuthRequest, source: UserSource): Promise<User> {
  if (source.authenticate) {
    const user = await source.authenticate(scopeOf(request));
    if (!user) throw new TidingsError('UNAUTHORIZED', 'this request is not signed in');
    return user;
  }
  const token = tokenFrom(request.req.headers, null, source.cookieName ?? '');
  if (!token || !source.verifier) throw new TidingsError('UNAUTHORIZED', 'a Bearer token or the session cookie is required');
  return source.verifier.verify(token);
}

/** @throws TidingsError UNAUTHORIZED unless the request carries the API key (compared in constant time). */
export function requireApiKey(request: AuthRequest, apiKey: string | undefined): void {
  if (!apiKey || !apiKeyMatches(bearerToken(request.req.headers), apiKey)) throw new TidingsError('UNAUTHORIZED', 'missing or wrong API key');
}

/**
 * Allow a read of `userId`'s inbox: the API key, or a user authenticated as `userId`.
 * @throws TidingsError UNAUTHORIZED (no valid key or token), TOKEN_EXPIRED, FORBIDDEN (another user's token).
 */
export async function requireReader(request: AuthRequest, source: UserSource & { apiKey?: string | undefined }, userId: string): Promise<void> {
  if (source.apiKey && apiKeyMatches(bearerToken(request.req.headers), source.apiKey)) return;
  const user = await requireUser(request, source);
  if (user.id !== userId) throw new TidingsError('FORBIDDEN', 'a user token can only read its own inbox');
}
