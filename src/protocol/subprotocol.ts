/**
 * The WebSocket subprotocol of `/inform/`, and how a browser passes its token without putting it in the URL.
 * A browser cannot set headers on a WebSocket; the client offers `tidings` and `tidings.bearer.<token>` as
 * subprotocols, and the server answers with `tidings` alone. The token so stays out of URLs, and so out of
 * proxy and server access logs. (`?token=` still works for existing clients.)
 */

/** The subprotocol the server selects when the client offers it. */
export const INFORM_PROTOCOL = 'tidings';

/** Prefix of the subprotocol that carries the token (a JWT is made of characters a subprotocol allows). */
export const TOKEN_PROTOCOL_PREFIX = 'tidings.bearer.';

/** The subprotocols a client offers to authenticate with `token`. */
export function tokenProtocols(token: string): string[] {
  return [INFORM_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token];
}
