/**
 * Who is asking: the one place the HTTP routes learn the user of a request (`/v1/me/*`, long polling, the
 * per-user reads, the reach routes). With the app's socket authenticator (a custom `authenticate` given to
 * `createTidings`), a request is authenticated exactly like a socket: the same function gets a scope made
 * from the request (headers, cookies, client address; no query string, since a token in an HTTP URL ends up
 * in access logs). Without one, the request's own token (`Authorization: Bearer` or the cookie) is verified.
 */
import { TidingsError } from '../errors.js';
import type { Authenticator, Scope, User } from '../consumer/index.js';
import { tokenFrom, type TokenVerifier } from '../notify/index.js';
import type { HttpContext } from './router.js';

/** How the routes find a request's user. */
export interface UserSource {
  verifier?: TokenVerifier | null;
  cookieName?: string;
  /** The socket authenticator, when the app brought its own: HTTP requests go through it too. */
  authenticate?: Authenticator;
}

const NO_QUERY = new URLSearchParams();

/** The request as a scope for a socket authenticator. */
function scopeOf(ctx: HttpContext): Scope {
  const origin = ctx.req.headers.origin;
  return {
    type: 'http',
    path: ctx.url.pathname,
    query: NO_QUERY,
    headers: ctx.req.headers,
    client: { ip: ctx.ip, port: ctx.req.socket.remotePort ?? 0 },
    origin: typeof origin === 'string' ? origin : undefined,
    subprotocols: [],
    params: { ...ctx.params },
    user: null,
    state: {},
  };
}

/**
 * The user of a request, authenticated like the socket.
 * @throws TidingsError UNAUTHORIZED (no valid credentials, or an anonymous one), TOKEN_EXPIRED, or what the
 *   authenticator throws.
 */
export async function userOf(ctx: HttpContext, deps: UserSource): Promise<User> {
  if (deps.authenticate) {
    const user = await deps.authenticate(scopeOf(ctx));
    if (!user) throw new TidingsError('UNAUTHORIZED', 'this request is not signed in');
    return user;
  }
  const token = tokenFrom(ctx.req.headers, null, deps.cookieName ?? '');
  if (!token || !deps.verifier) throw new TidingsError('UNAUTHORIZED', 'a Bearer token or the session cookie is required');
  return deps.verifier.verify(token);
}
