/**
 * Authentication of `/inform/`: refusals (no token, bad signature, expired, `alg: none`, HS256/RS256
 * confusion, wrong audience or issuer, no `exp`) answered as docs/protocol.md says: the upgrade is accepted
 * and closed at once with 4501 and the error code as the reason, before any frame (a browser can read a close
 * code, not an HTTP status). Also cookie tokens, a token expiring mid-session (4501 unless refreshed in time
 * by the same user), and the `authenticate` hook. Short TTLs; every wait is on an event, with a deadline.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { TidingsError } from '../../../src/errors.js';
import { readCookie } from '../../../src/auth/index.js';
import { startTestServer, TEST_JWT_SECRET, TestSocket, type TestServer } from '../../../src/testing/index.js';

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function hs256(claims: { sub?: string; exp?: number; aud?: string; iss?: string }, key: Uint8Array = secret): Promise<string> {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' });
  if (claims.sub !== undefined) jwt = jwt.setSubject(claims.sub);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  if (claims.aud !== undefined) jwt = jwt.setAudience(claims.aud);
  if (claims.iss !== undefined) jwt = jwt.setIssuer(claims.iss);
  return jwt.sign(key);
}

/** How a connection was refused: closed with `code` and `reason` before any frame, or an HTTP `status`. */
type Refusal = { close: number; reason: string } | { status: number };

async function refusal(url: string, headers: Record<string, string> = {}, protocols: string[] = []): Promise<Refusal> {
  let socket: TestSocket;
  try {
    socket = await TestSocket.open(url, { headers, protocols });
  } catch (err) {
    return { status: (err as Error & { status?: number }).status ?? 0 };
  }
  const { code, reason } = await socket.closed();
  assert.equal(socket.pending, 0, 'no frame (no hello) before the close');
  return { close: code, reason };
}

const UNAUTHORIZED: Refusal = { close: 4501, reason: 'UNAUTHORIZED' };

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ settings: { cookieName: 'tidings_session' } });
});
after(() => srv.close());

const inform = (query: string) => srv.wsUrl(`/inform/?${query}`);

describe('tokens refused: closed with 4501 before any frame', () => {
  it('no token', async () => {
    assert.deepEqual(await refusal(srv.wsUrl('/inform/')), UNAUTHORIZED);
  });

  it('routing comes first: an unknown path is refused with 404 before the upgrade, with or without a token', async () => {
    assert.deepEqual(await refusal(srv.wsUrl('/nowhere/')), { status: 404 });
    assert.deepEqual(await refusal(srv.wsUrl(`/nowhere/?token=${await srv.tidings.token('alice')}`)), { status: 404 });
    assert.deepEqual(await refusal(srv.wsUrl('//x/inform/')), { status: 404 });
  });

  it('a token signed with another secret, or garbage', async () => {
    const forged = await hs256({ sub: 'alice', exp: nowSeconds() + 60 }, new TextEncoder().encode('not-the-server-secret-but-long-enough'));
    assert.deepEqual(await refusal(inform(`token=${forged}`)), UNAUTHORIZED);
    assert.deepEqual(await refusal(inform('token=not.a.jwt')), UNAUTHORIZED);
  });

  it('an expired token (TOKEN_EXPIRED)', async () => {
    const expired = await hs256({ sub: 'alice', exp: nowSeconds() - 5 });
    assert.deepEqual(await refusal(inform(`token=${expired}`)), { close: 4501, reason: 'TOKEN_EXPIRED' });
  });

  it('an `alg: none` token crafted by hand', async () => {
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', exp: nowSeconds() + 60 })}.`;
    assert.deepEqual(await refusal(inform(`token=${none}`)), UNAUTHORIZED);
    const noneUpper = `${b64({ alg: 'NONE' })}.${b64({ sub: 'alice', exp: nowSeconds() + 60 })}.`;
    assert.deepEqual(await refusal(inform(`token=${noneUpper}`)), UNAUTHORIZED);
  });

  it('a token without `exp` or without `sub`', async () => {
    assert.deepEqual(await refusal(inform(`token=${await hs256({ sub: 'alice' })}`)), UNAUTHORIZED);
    assert.deepEqual(await refusal(inform(`token=${await hs256({ exp: nowSeconds() + 60 })}`)), UNAUTHORIZED);
  });

  it('a token in the Authorization header works as well as ?token=', async () => {
    const socket = await TestSocket.open(srv.wsUrl('/inform/'), { headers: { authorization: `Bearer ${await srv.tidings.token('alice')}` } });
    assert.equal((await socket.nextFrame()).user, 'alice');
    socket.close();
  });
});

describe('RS256 public key: no algorithm confusion', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let rs: TestServer;
  before(async () => {
    // Only the public key: no HS256 secret at all (not even the development one).
    rs = await startTestServer({ settings: { jwtPublicKey: pem, jwtSecret: undefined } });
  });
  after(() => rs.close());

  it('an RS256 token signed with the private key is accepted', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject('alice').setExpirationTime('1m').sign(privateKey);
    const socket = await TestSocket.open(rs.wsUrl(`/inform/?token=${token}`));
    assert.equal((await socket.nextFrame()).user, 'alice');
    socket.close();
  });

  it('an HS256 token whose secret is the public key PEM is refused', async () => {
    const confused = await hs256({ sub: 'alice', exp: nowSeconds() + 60 }, new TextEncoder().encode(pem));
    assert.deepEqual(await refusal(rs.wsUrl(`/inform/?token=${confused}`)), UNAUTHORIZED);
  });

  it('an HS256 token signed with the built-in development secret is refused', async () => {
    const { DEV_JWT_SECRET } = await import('../../../src/config/index.js');
    const dev = await hs256({ sub: 'alice', exp: nowSeconds() + 60 }, new TextEncoder().encode(DEV_JWT_SECRET));
    assert.deepEqual(await refusal(rs.wsUrl(`/inform/?token=${dev}`)), UNAUTHORIZED);
  });
});

describe('audience and issuer, when configured', () => {
  let strict: TestServer;
  before(async () => {
    strict = await startTestServer({ settings: { jwtAudience: 'tidings', jwtIssuer: 'https://app.example' } });
  });
  after(() => strict.close());

  it('the right aud and iss are accepted; a wrong or missing one is refused', async () => {
    const exp = nowSeconds() + 60;
    const ok = await hs256({ sub: 'alice', exp, aud: 'tidings', iss: 'https://app.example' });
    const socket = await TestSocket.open(strict.wsUrl(`/inform/?token=${ok}`));
    assert.equal((await socket.nextFrame()).user, 'alice');
    socket.close();
    for (const claims of [{ aud: 'other', iss: 'https://app.example' }, { aud: 'tidings', iss: 'https://evil.example' }, { iss: 'https://app.example' }, { aud: 'tidings' }]) {
      const token = await hs256({ sub: 'alice', exp, ...claims });
      assert.deepEqual(await refusal(strict.wsUrl(`/inform/?token=${token}`)), UNAUTHORIZED, JSON.stringify(claims));
    }
  });
});

describe('the token as a subprotocol (out of URLs and access logs)', () => {
  it('tidings + tidings.bearer.<token>: accepted, the server selects "tidings", the user is the token\'s', async () => {
    const token = await srv.tidings.token('alice');
    const socket = await TestSocket.open(srv.wsUrl('/inform/'), { protocols: ['tidings', `tidings.bearer.${token}`] });
    assert.equal(socket.ws.protocol, 'tidings');
    assert.equal((await socket.nextFrame()).user, 'alice');
    socket.close();
  });

  it('a bad token in the subprotocol is refused like any other (4501)', async () => {
    assert.deepEqual(await refusal(srv.wsUrl('/inform/'), {}, ['tidings', 'tidings.bearer.not-a-jwt']), UNAUTHORIZED);
  });
});

describe('cookie', () => {
  it('the token in the configured cookie authenticates; another cookie name does not', async () => {
    const token = await srv.tidings.token('alice');
    const socket = await TestSocket.open(srv.wsUrl('/inform/'), { headers: { cookie: `theme=dark; tidings_session=${token}` } });
    assert.equal((await socket.nextFrame()).user, 'alice');
    socket.close();
    assert.deepEqual(await refusal(srv.wsUrl('/inform/'), { cookie: `tidings_token=${token}` }), UNAUTHORIZED);
  });
});

describe('a token expiring mid-session', { concurrency: true }, () => {
  /** A token for `user` expiring at `exp` (seconds). */
  const tokenUntil = (user: string, exp: number) => hs256({ sub: user, exp });
  /** exp at least 1 s away (exp has whole-second resolution). */
  const soon = () => nowSeconds() + 2;

  it('closes with 4501 at expiry', async () => {
    const exp = soon();
    const socket = await TestSocket.open(inform(`token=${await tokenUntil('alice', exp)}`));
    assert.equal((await socket.nextFrame()).type, 'hello');
    const closed = await socket.closed(4000);
    assert.equal(closed.code, 4501);
    assert.ok(Date.now() >= exp * 1000 - 20, 'not before the token expired');
  });

  it('a refresh with a fresh token for the same user moves the expiry', async () => {
    const first = soon();
    const socket = await TestSocket.open(inform(`token=${await tokenUntil('alice', first)}`));
    await socket.nextFrame();
    const second = first + 1;
    socket.send({ type: 'refresh', token: await tokenUntil('alice', second) });
    // Still usable after the refresh: a ping is answered.
    socket.send({ type: 'ping' });
    assert.equal((await socket.nextOfType('pong')).type, 'pong');
    const closed = await socket.closed(5000);
    assert.equal(closed.code, 4501);
    assert.ok(Date.now() >= second * 1000 - 20, `closed at the new expiry, not the old one (${first})`);
  });

  it("a refresh with another user's token: error frame, then closed at the old expiry", async () => {
    const exp = soon();
    const socket = await TestSocket.open(inform(`token=${await tokenUntil('alice', exp)}`));
    await socket.nextFrame();
    socket.send({ type: 'refresh', token: await tokenUntil('mallory', exp + 30) });
    const err = await socket.nextFrame();
    assert.equal(err.type, 'error');
    assert.equal(err.code, 'FORBIDDEN');
    socket.send({ type: 'refresh', token: 'garbage' });
    assert.equal((await socket.nextFrame()).code, 'UNAUTHORIZED');
    const closed = await socket.closed(4000);
    assert.equal(closed.code, 4501);
    assert.ok(Date.now() >= exp * 1000 - 20 && Date.now() < exp * 1000 + 1500, 'closed at the old expiry');
  });
});

describe('the authenticate hook replaces JWT', () => {
  let hooked: TestServer;
  before(async () => {
    hooked = await startTestServer({
      authenticate: (scope) => {
        const session = readCookie(typeof scope.headers.cookie === 'string' ? scope.headers.cookie : undefined, 'app_session');
        if (session === 'valid-session-for-alice') return { id: 'alice' };
        if (session === 'guest') return null;
        throw new TidingsError('UNAUTHORIZED', 'no session');
      },
    });
  });
  after(() => hooked.close());

  it("the app's own session cookie authenticates", async () => {
    const socket = await TestSocket.open(hooked.wsUrl('/inform/'), { headers: { cookie: 'app_session=valid-session-for-alice' } });
    assert.equal((await socket.nextFrame()).user, 'alice');
    await hooked.notify('alice', { kind: 'reply', data: {} });
    assert.equal((await socket.nextFrame()).type, 'notification');
    socket.close();
  });

  it('a valid JWT alone is not enough, and a null user is refused unless allowAnonymous', async () => {
    const token = await hooked.tidings.token('alice');
    assert.deepEqual(await refusal(hooked.wsUrl(`/inform/?token=${token}`)), UNAUTHORIZED);
    assert.deepEqual(await refusal(hooked.wsUrl('/inform/'), { cookie: 'app_session=guest' }), UNAUTHORIZED);
  });
});

describe('origin allow-list', () => {
  it('a browser from another origin is refused with HTTP 403 before the upgrade', async () => {
    const own = await startTestServer({ settings: { allowedOrigins: ['https://app.example'] } });
    try {
      const token = await own.tidings.token('alice');
      assert.deepEqual(await refusal(own.wsUrl(`/inform/?token=${token}`), { origin: 'https://evil.example' }), { status: 403 });
      const socket = await TestSocket.open(own.wsUrl(`/inform/?token=${token}`), { headers: { origin: 'https://app.example' } });
      assert.equal((await socket.nextFrame()).user, 'alice');
      socket.close();
    } finally {
      await own.close();
    }
  });
});
