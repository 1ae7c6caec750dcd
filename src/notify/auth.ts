/**
 * Connection authentication with JWTs (jose): HS256 with a shared secret, or RS256/ES256 with a PEM public
 * key or a JWKS URL. The token's `sub` is the user id. It is read from `?token=`, the configured cookie,
 * or an `Authorization: Bearer` header. `alg: none` and algorithm confusion are refused: only the algorithms
 * of the configured key are accepted. A token must carry `exp`: a connection token that never expires could
 * never be revoked.
 *
 * With a secret or a public key (keys that cannot change while the process runs), each distinct token is
 * verified once: a bounded cache keyed by the token's SHA-256 remembers the user of a valid token until its
 * `exp`, and a hit re-checks only what time can change (`exp`, with the same tolerance and rounding as the
 * full check: an expired token is still refused with TOKEN_EXPIRED). Refused tokens are never cached. With
 * a JWKS URL nothing is cached: a key removed from the set must stop its tokens at once.
 */
import { createHash, timingSafeEqual, webcrypto } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignJWT, createRemoteJWKSet, errors, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type KeyObject } from 'jose';
import { TidingsError } from '../errors.js';
import { TOKEN_PROTOCOL_PREFIX } from '../protocol/subprotocol.js';
import type { Authenticator, Scope, User } from '../consumer/index.js';

export interface JwtOptions {
  secret?: string | undefined;
  publicKey?: string | undefined;
  jwksUrl?: string | undefined;
  audience?: string | undefined;
  issuer?: string | undefined;
  /** Seconds of clock difference allowed on `exp` and `nbf` (the token's signer and this server). Default 5. */
  clockTolerance?: number | undefined;
  /** Most valid tokens remembered (secret or public key only). Default 50,000; 0 turns the cache off. */
  cacheSize?: number | undefined;
  /** The clock (ms since epoch), for tests. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/** Verifies connection tokens. */
export interface TokenVerifier {
  /** The user of a valid token. @throws TidingsError UNAUTHORIZED or TOKEN_EXPIRED. */
  verify(token: string): Promise<User>;
}

const MAX_USER_ID = 128;
const DEFAULT_CACHE_SIZE = 50_000;
// (crypto.hash would be quicker, but needs Node 20.12; engines allow any Node 20.)
const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Users of verified tokens, by the token's digest (the token itself is not kept: it may be long), in
 * insertion order. Full: the oldest entry goes. Each insertion also drops the oldest entry if it has
 * expired, so expired tokens do not wait for the bound to leave.
 */
class VerifiedTokens {
  readonly #users = new Map<string, User>();

  constructor(
    private readonly max: number,
    private readonly tolerance: number,
  ) {}

  /** Epoch seconds as jose reads the clock. */
  static seconds(ms: number): number {
    return Math.floor(ms / 1000);
  }

  /** The user of `digest`, or undefined (not seen). @throws TidingsError TOKEN_EXPIRED once it has expired. */
  get(digest: string, nowMs: number): User | undefined {
    const user = this.#users.get(digest);
    if (user === undefined) return undefined;
    if (this.#expired(user, nowMs)) {
      this.#users.delete(digest);
      throw new TidingsError('TOKEN_EXPIRED', 'token expired');
    }
    return user;
  }

  set(digest: string, user: User, nowMs: number): void {
    if (this.max <= 0) return;
    const oldest = this.#users.entries().next().value;
    if (oldest && (this.#users.size >= this.max || this.#expired(oldest[1], nowMs))) this.#users.delete(oldest[0]);
    this.#users.set(digest, user);
  }

  /** jose's test: `exp <= now - tolerance`, in whole seconds. */
  #expired(user: User, nowMs: number): boolean {
    return (user.claims as JWTPayload).exp! <= VerifiedTokens.seconds(nowMs) - this.tolerance;
  }
}

/** The user of a verified payload. @throws TidingsError UNAUTHORIZED when `sub` is not a valid user id. */
function userOf(payload: JWTPayload): User {
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_USER_ID) {
    throw new TidingsError('UNAUTHORIZED', 'token has no valid "sub" (user id)');
  }
  // `exp` is required by the verification. Frozen: every connection with this token shares the object.
  return Object.freeze({ id: sub, claims: Object.freeze(payload), expiresAt: (payload.exp as number) * 1000 });
}

/** Create a verifier for the configured key. @throws TidingsError CONFIG_INVALID when no key is configured. */
export function createTokenVerifier(options: JwtOptions): TokenVerifier {
  let key: Promise<webcrypto.CryptoKey | KeyObject | JWTVerifyGetKey>;
  let algorithms: string[];
  if (options.secret) {
    // Imported once: handing jose the raw bytes would import a key on every verification (about half its cost).
    const raw = new TextEncoder().encode(options.secret);
    key = webcrypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    algorithms = ['HS256'];
  } else if (options.publicKey) {
    const pem = options.publicKey;
    algorithms = pem.includes('BEGIN PUBLIC KEY') ? ['RS256', 'ES256'] : ['RS256'];
    key = importSPKI(pem, 'RS256').catch(() => importSPKI(pem, 'ES256'));
  } else if (options.jwksUrl) {
    key = Promise.resolve(createRemoteJWKSet(new URL(options.jwksUrl)));
    algorithms = ['RS256', 'ES256'];
  } else {
    throw new TidingsError('CONFIG_INVALID', 'no JWT secret, public key or JWKS URL configured');
  }
  const tolerance = options.clockTolerance ?? 5;
  const now = options.now ?? Date.now;
  const cache = options.jwksUrl && !options.secret && !options.publicKey ? null : new VerifiedTokens(options.cacheSize ?? DEFAULT_CACHE_SIZE, tolerance);
  const verifyOptions = { algorithms, audience: options.audience, issuer: options.issuer, requiredClaims: ['exp'], clockTolerance: tolerance };
  return {
    async verify(token) {
      const digest = cache ? sha256(token).toString('base64') : '';
      const known = cache?.get(digest, now());
      if (known) return known;
      try {
        const k = await key;
        const opts = options.now ? { ...verifyOptions, currentDate: new Date(now()) } : verifyOptions;
        const { payload } = typeof k === 'function' ? await jwtVerify(token, k, opts) : await jwtVerify(token, k, opts);
        const user = userOf(payload);
        cache?.set(digest, user, now());
        return user;
      } catch (err) {
        if (err instanceof TidingsError) throw err;
        if (err instanceof errors.JWTExpired) throw new TidingsError('TOKEN_EXPIRED', 'token expired', { cause: err });
        throw new TidingsError('UNAUTHORIZED', 'invalid token', { cause: err });
      }
    },
  };
}

/** Sign an HS256 token for `userId` (development and tests; production tokens come from your app). */
export async function signToken(secret: string, userId: string, options: { ttlSeconds?: number; audience?: string; issuer?: string } = {}): Promise<string> {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(userId).setIssuedAt();
  jwt = jwt.setExpirationTime(Math.floor(Date.now() / 1000) + (options.ttlSeconds ?? 3600));
  if (options.audience) jwt = jwt.setAudience(options.audience);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(secret));
}

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

/**
 * The token of a request: `Authorization: Bearer`, then a `tidings.bearer.<token>` subprotocol, then
 * `?token=` (kept for existing clients; it ends up in access logs), then the cookie.
 */
export function tokenFrom(headers: IncomingHttpHeaders, query: URLSearchParams | null, cookieName: string): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const fromProtocol = tokenFromProtocols(headers['sec-websocket-protocol']);
  if (fromProtocol) return fromProtocol;
  const fromQuery = query?.get('token');
  if (fromQuery) return fromQuery;
  return readCookie(headers.cookie, cookieName);
}

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


/**
 * Compare an API key in constant time (digests, so different lengths leak nothing either). Stateless: no
 * module-wide cache shared by the apps of a process (a digest of a short key costs about a microsecond).
 */
export function apiKeyMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(sha256(given), sha256(expected));
}
