/** HS256 JSON Web Tokens for benchmark users, signed with node:crypto (no async work per token). */
import { createHmac } from 'node:crypto';

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** A token with `sub` = `user`, issued at `issuedAt` (epoch seconds, default now), valid for `ttlSeconds` (default one day). */
export function signUserToken(user: string, secret: string, ttlSeconds = 86_400, issuedAt = Math.floor(Date.now() / 1000)): string {
  const now = issuedAt;
  const payload = base64url(JSON.stringify({ sub: user, iat: now, exp: now + ttlSeconds }));
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

/** `user` -> a token signed with `secret`, each signed once (a target's subscribers reuse their tokens). */
export function tokenCache(secret: string): (user: string) => string {
  const tokens = new Map<string, string>();
  return (user) => {
    let token = tokens.get(user);
    if (token === undefined) tokens.set(user, (token = signUserToken(user, secret)));
    return token;
  };
}
