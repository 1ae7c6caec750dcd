/**
 * JWTs (jose): HS256 with a shared secret, or RS256/ES256 with a PEM public key or a JWKS URL. The token's
 * `sub` is the user id. `alg: none` and algorithm confusion are refused: only the algorithms of the configured
 * key are accepted. A token must carry `exp`: a connection token that never expires could never be revoked.
 * Where a request's token is read from is credentials.ts.
 *
 * With a secret or a public key (keys that cannot change while the process runs), each distinct token is
 * verified once: a bounded cache (token-cache.ts) remembers the user of a valid token until its `exp`.
 * Refused tokens are never cached. With a JWKS URL nothing is cached: a key removed from the set must stop
 * its tokens at once.
 */
import { webcrypto } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, errors, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type KeyObject } from 'jose';
import { TidingsError } from '../errors.js';
import type { User } from '../consumer/index.js';
import { MAX_USER_ID_LENGTH } from '../protocol/limits.js';
import { sha256 } from './credentials.js';
import { VerifiedTokens } from './token-cache.js';

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

const DEFAULT_CACHE_SIZE = 50_000;

/** The user of a verified payload. @throws TidingsError UNAUTHORIZED when `sub` is not a valid user id. */
function userFromPayload(payload: JWTPayload): User {
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_USER_ID_LENGTH) {
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
        const user = userFromPayload(payload);
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
