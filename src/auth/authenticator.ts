/** The socket authenticator for JWTs: what `authMiddleware` runs on `/inform/` unless the app brings its own. */
import { TidingsError } from '../errors.js';
import { TOKEN_PROTOCOL_PREFIX } from '../protocol/subprotocol.js';
import type { Authenticator, Scope } from '../consumer/index.js';
import { tokenFrom } from './credentials.js';
import type { TokenVerifier } from './tokens.js';

/**
 * An authenticator for sockets: a valid token -> its user; no token -> anonymous (null) when allowed, else
 * UNAUTHORIZED; a bad token -> UNAUTHORIZED / TOKEN_EXPIRED (never silently anonymous).
 */
export function jwtAuthenticator(verifier: TokenVerifier, options: { cookieName: string; allowAnonymous: boolean }): Authenticator {
  return async (scope: Scope) => {
    const token = tokenFrom(scope.headers, scope.query, options.cookieName);
    if (!token) {
      if (options.allowAnonymous) return null;
      throw new TidingsError('UNAUTHORIZED', 'a token is required (?token=, cookie or Authorization header)');
    }
    const user = await verifier.verify(token);
    // The connection keeps its scope for its lifetime: do not keep the credential in it.
    scope.query.delete('token');
    if (scope.subprotocols.some((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))) {
      scope.subprotocols = scope.subprotocols.filter((p) => !p.startsWith(TOKEN_PROTOCOL_PREFIX));
    }
    return user;
  };
}
