/**
 * An embedded server (`createTidings({ settings })`) never runs on the public development secrets unless
 * asked with `env: 'development'`: the development API key is refused, and so is a token signed with the
 * development secret. With `config: loadConfig({ env })` it reads `TIDINGS_*` as the CLI does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEV_API_KEY, DEV_JWT_SECRET, loadConfig } from '../../../src/config/index.js';
import { signToken } from '../../../src/auth/index.js';
import { createTidings, type Tidings } from '../../../src/tidings.js';

async function publishWith(tidings: Tidings, key: string): Promise<number> {
  const res = await fetch(`${tidings.server.url}/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to: 'alice', kind: 'reply', data: {} }),
  });
  await res.body?.cancel();
  return res.status;
}

describe('an embedded server and the development secrets', () => {
  it('settings without secrets: the public development API key and tokens are refused', async (t) => {
    const tidings = await createTidings({ settings: { host: '127.0.0.1', port: 0, databaseUrl: 'sqlite::memory:' } });
    t.after(() => tidings.close());
    await tidings.listen();
    assert.equal(await publishWith(tidings, DEV_API_KEY), 401);
    const token = await signToken(DEV_JWT_SECRET, 'alice', { ttlSeconds: 60 });
    const res = await fetch(`${tidings.server.url}/v1/me/notifications`, { headers: { authorization: `Bearer ${token}` } });
    await res.body?.cancel();
    assert.equal(res.status, 401);
  });

  it('config from loadConfig({ env }) takes TIDINGS_API_KEY, as the CLI does', async (t) => {
    const key = 'embedded-api-key-from-the-environment';
    const config = loadConfig({ env: { TIDINGS_API_KEY: key, TIDINGS_JWT_SECRET: 's'.repeat(32), TIDINGS_HOST: '127.0.0.1', TIDINGS_PORT: '0', TIDINGS_DATABASE_URL: 'sqlite::memory:' } });
    const tidings = await createTidings({ config });
    t.after(() => tidings.close());
    await tidings.listen();
    assert.equal(await publishWith(tidings, key), 201);
    assert.equal(await publishWith(tidings, DEV_API_KEY), 401);
  });
});

describe('a custom authenticate covers /v1/me/* too', () => {
  it('a session the socket authenticator accepts reads /v1/me/notifications; without it, 401', async (t) => {
    const tidings = await createTidings({
      settings: { host: '127.0.0.1', port: 0, databaseUrl: 'sqlite::memory:', apiKey: 'k'.repeat(32) },
      // The app's own sessions: a cookie `sid=alice-session` is alice.
      authenticate: (scope) => {
        const cookie = typeof scope.headers.cookie === 'string' ? scope.headers.cookie : '';
        return /(?:^|; )sid=alice-session(?:;|$)/.test(cookie) ? { id: 'alice' } : null;
      },
    });
    t.after(() => tidings.close());
    await tidings.listen();
    await tidings.notify({ to: 'alice', kind: 'reply', data: {} });
    const ok = await fetch(`${tidings.server.url}/v1/me/notifications`, { headers: { cookie: 'theme=dark; sid=alice-session' } });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { unread: number }).unread, 1);
    const refused = await fetch(`${tidings.server.url}/v1/me/notifications`, { headers: { cookie: 'sid=someone-else' } });
    await refused.body?.cancel();
    assert.equal(refused.status, 401);
  });
});
