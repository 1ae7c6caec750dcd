/**
 * Token verification and the API key check, without a server: refused algorithms and claims, the order
 * tokens are looked for, and constant-time key comparison of keys of any length.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { apiKeyMatches, createTokenVerifier, readCookie, signToken, tokenFrom } from '../../../src/auth/index.js';

const SECRET = 'unit-test-secret-long-enough-for-hs256';
const key = new TextEncoder().encode(SECRET);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

async function refusedWith(verify: Promise<unknown>): Promise<string> {
  try {
    await verify;
  } catch (err) {
    return (err as { code: string }).code;
  }
  throw new Error('the token was accepted');
}

describe('createTokenVerifier (HS256)', () => {
  const verifier = createTokenVerifier({ secret: SECRET });

  it('accepts a token of signToken and returns sub and expiry', async () => {
    const user = await verifier.verify(await signToken(SECRET, 'alice', { ttlSeconds: 60 }));
    assert.equal(user.id, 'alice');
    assert.ok(user.expiresAt! > Date.now() && user.expiresAt! <= Date.now() + 61_000);
  });

  it('refuses alg none, a foreign key, no exp, no or an over-long sub; an expired token is TOKEN_EXPIRED', async () => {
    assert.equal(await refusedWith(verifier.verify(`${b64({ alg: 'none' })}.${b64({ sub: 'alice', exp: inAMinute() })}.`)), 'UNAUTHORIZED');
    const foreign = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(inAMinute()).sign(new TextEncoder().encode('x'.repeat(40)));
    assert.equal(await refusedWith(verifier.verify(foreign)), 'UNAUTHORIZED');
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(key);
    assert.equal(await refusedWith(verifier.verify(noExp)), 'UNAUTHORIZED');
    const noSub = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(inAMinute()).sign(key);
    assert.equal(await refusedWith(verifier.verify(noSub)), 'UNAUTHORIZED');
    assert.equal(await refusedWith(verifier.verify(await signToken(SECRET, 'a'.repeat(129)))), 'UNAUTHORIZED');
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(inAMinute() - 120).sign(key);
    assert.equal(await refusedWith(verifier.verify(expired)), 'TOKEN_EXPIRED');
  });

  it('with a public key, an HS256 token keyed with that PEM is refused', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const es = createTokenVerifier({ publicKey: pem });
    const good = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('alice').setExpirationTime(inAMinute()).sign(privateKey);
    assert.equal((await es.verify(good)).id, 'alice');
    const confused = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(inAMinute()).sign(new TextEncoder().encode(pem));
    assert.equal(await refusedWith(es.verify(confused)), 'UNAUTHORIZED');
  });

  it('throws CONFIG_INVALID without any key', () => {
    assert.throws(() => createTokenVerifier({}), (err: Error & { code?: string }) => err.code === 'CONFIG_INVALID');
  });
});

describe('where the token is read from', () => {
  it('Authorization: Bearer, then ?token=, then the cookie', () => {
    const q = new URLSearchParams('token=from-query');
    assert.equal(tokenFrom({ authorization: 'Bearer from-header', cookie: 't=from-cookie' }, q, 't'), 'from-header');
    assert.equal(tokenFrom({ cookie: 't=from-cookie' }, q, 't'), 'from-query');
    assert.equal(tokenFrom({ cookie: 'a=1; t=from-cookie' }, null, 't'), 'from-cookie');
    assert.equal(tokenFrom({ authorization: 'Basic abc' }, null, 't'), undefined);
  });

  it('readCookie matches the exact name and survives bad escapes', () => {
    assert.equal(readCookie('xt=1; t=2', 't'), '2');
    assert.equal(readCookie('t=%E0%A4%A', 't'), undefined);
    assert.equal(readCookie(undefined, 't'), undefined);
  });
});

describe('apiKeyMatches', () => {
  it('matches only the exact key, whatever the lengths', () => {
    assert.equal(apiKeyMatches('key-123', 'key-123'), true);
    for (const given of [undefined, '', 'key-12', 'key-1234', 'KEY-123', 'x'.repeat(10_000)]) assert.equal(apiKeyMatches(given, 'key-123'), false, String(given).slice(0, 20));
  });
});

describe('clock tolerance (the token signer and this server may disagree by a few seconds)', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const signed = (claims: { nbf?: number; exp: number }) => {
    let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(claims.exp);
    if (claims.nbf !== undefined) jwt = jwt.setNotBefore(claims.nbf);
    return jwt.sign(key);
  };

  it('a token whose nbf is 2 s ahead is accepted by default (5 s), refused with 0', async () => {
    const token = await signed({ nbf: now() + 2, exp: inAMinute() });
    assert.equal((await createTokenVerifier({ secret: SECRET }).verify(token)).id, 'alice');
    assert.equal(await refusedWith(createTokenVerifier({ secret: SECRET, clockTolerance: 0 }).verify(token)), 'UNAUTHORIZED');
  });

  it('a token that expired 2 s ago is accepted within the tolerance, refused (TOKEN_EXPIRED) beyond it', async () => {
    const token = await signed({ exp: now() - 2 });
    assert.equal((await createTokenVerifier({ secret: SECRET, clockTolerance: 5 }).verify(token)).id, 'alice');
    assert.equal(await refusedWith(createTokenVerifier({ secret: SECRET, clockTolerance: 0 }).verify(token)), 'TOKEN_EXPIRED');
  });
});

describe('each distinct token is verified once (bounded cache)', () => {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const tokenFor = (sub: string) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime(exp).sign(key);

  it('a known token gives the same frozen user, until it expires: then TOKEN_EXPIRED at the exact second jose refuses it', async () => {
    let clock = (exp - 60) * 1000;
    const cached = createTokenVerifier({ secret: SECRET, now: () => clock });
    const uncached = createTokenVerifier({ secret: SECRET, now: () => clock, cacheSize: 0 });
    const token = await tokenFor('alice');
    const first = await cached.verify(token);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.claims));
    assert.equal(await cached.verify(token), first, 'the second verification is the remembered user');
    assert.notEqual(await uncached.verify(token), await uncached.verify(token), 'cacheSize 0 verifies every time');
    // Default tolerance 5 s: accepted until exp + 5 s, refused from then on, by both paths alike.
    clock = (exp + 5) * 1000 - 1;
    assert.equal(await cached.verify(token), first);
    assert.equal((await uncached.verify(token)).id, 'alice');
    clock = (exp + 5) * 1000;
    assert.equal(await refusedWith(cached.verify(token)), 'TOKEN_EXPIRED');
    assert.equal(await refusedWith(uncached.verify(token)), 'TOKEN_EXPIRED');
    assert.equal(await refusedWith(cached.verify(token)), 'TOKEN_EXPIRED', 'and again once forgotten');
  });

  it('a refused token stays refused, and past the bound the oldest token is verified again', async () => {
    const verifier = createTokenVerifier({ secret: SECRET, cacheSize: 1 });
    const [alice, bob] = [await tokenFor('alice'), await tokenFor('bob')];
    const tampered = `${alice.slice(0, -2)}${alice.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.equal(await refusedWith(verifier.verify(tampered)), 'UNAUTHORIZED');
    assert.equal(await refusedWith(verifier.verify(tampered)), 'UNAUTHORIZED');
    const first = await verifier.verify(alice);
    assert.equal(await verifier.verify(alice), first);
    assert.equal((await verifier.verify(bob)).id, 'bob');
    const again = await verifier.verify(alice);
    assert.equal(again.id, 'alice');
    assert.notEqual(again, first, 'alice was evicted by bob and verified anew');
  });
});
