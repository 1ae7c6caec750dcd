/**
 * A page on another origin: `/v1/me/*` answers preflights and carries CORS headers for the Origins in
 * `allowedOrigins` (credentials for explicit ones, `*` without), refuses the others with 403, and the
 * browser bundles are served at `/bundles/<version>/…` with long caching, in production too.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BUNDLE_VERSION, bundlePath } from '../../../src/http/index.js';
import { startTestServer, type TestServer } from '../../../src/testing/index.js';

const APP = 'https://app.example.com';

describe('CORS on /v1/me/*', () => {
  let srv: TestServer;
  let star: TestServer;
  before(async () => {
    [srv, star] = await Promise.all([
      startTestServer({ settings: { allowedOrigins: [APP, 'https://*.example.org'] } }),
      startTestServer({ settings: { allowedOrigins: ['*'] } }),
    ]);
  });
  after(async () => {
    await Promise.all([srv?.tidings.close(), star?.tidings.close()]);
  });

  const preflight = (base: string, origin: string, path = '/v1/me/notifications') =>
    fetch(base + path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

  it('answers the preflight of an allowed origin with credentials', async () => {
    for (const origin of [APP, 'https://shop.example.org']) {
      const res = await preflight(srv.url, origin, '/v1/me/read');
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
      assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.match(res.headers.get('access-control-allow-headers') ?? '', /authorization/);
      assert.match(res.headers.get('access-control-allow-headers') ?? '', /content-type/);
      assert.match(res.headers.get('vary') ?? '', /Origin/);
    }
  });

  it('adds the headers to the real request, which works as before', async () => {
    await srv.notify('alice', { kind: 'comment', data: {} });
    const token = await srv.tidings.token('alice');
    const res = await fetch(`${srv.url}/v1/me/notifications`, { headers: { origin: APP, authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), APP);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(((await res.json()) as { items: unknown[] }).items.length, 1);
    const read = await fetch(`${srv.url}/v1/me/read`, { method: 'POST', headers: { origin: APP, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"all":true}' });
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('access-control-allow-origin'), APP);
  });

  it('refuses another origin with 403 ORIGIN_NOT_ALLOWED, preflight included', async () => {
    const res = await preflight(srv.url, 'https://evil.example.net');
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(((await res.json()) as { code: string }).code, 'ORIGIN_NOT_ALLOWED');
    const token = await srv.tidings.token('alice');
    const get = await fetch(`${srv.url}/v1/me/notifications`, { headers: { origin: 'http://app.example.com', authorization: `Bearer ${token}` } });
    assert.equal(get.status, 403);
  });

  it('leaves same-origin requests and other paths alone', async () => {
    const token = await srv.tidings.token('alice');
    const same = await fetch(`${srv.url}/v1/me/notifications`, { headers: { origin: srv.url, authorization: `Bearer ${token}` } });
    assert.equal(same.status, 200);
    assert.equal(same.headers.get('access-control-allow-origin'), null);
    const api = await preflight(srv.url, APP, '/v1/notifications');
    assert.equal(api.status, 405, 'the publish API is for servers, not pages');
  });

  it('`*` admits any origin, without credentials', async () => {
    const res = await preflight(star.url, 'https://anyone.example.net');
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
  });
});

describe('the browser bundles at versioned paths', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ settings: { env: 'production', demo: false } });
  });
  after(async () => srv?.tidings.close());

  it('serves both bundles with long caching and CORS, without the demo', async () => {
    assert.equal(BUNDLE_VERSION, (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version);
    for (const file of ['tidings-bell.js', 'tidings-client.js'] as const) {
      const res = await fetch(srv.url + bundlePath(file));
      assert.equal(res.status, 200, file);
      assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), readFileSync(new URL(`../../../public/static/${file}`, import.meta.url)));
    }
    assert.equal((await fetch(`${srv.url}/static/tidings-bell.js`)).status, 404, 'the demo folder stays closed in production');
    assert.equal((await fetch(`${srv.url}/bundles/0.0.0-other/tidings-bell.js`)).status, 404);
    assert.equal((await fetch(`${srv.url}/bundles/${BUNDLE_VERSION}/demo.js`)).status, 404);
  });

  it('`tidings/widget` and `tidings/client` resolve to the built modules', () => {
    assert.match(import.meta.resolve('tidings/widget'), /\/dist\/widget\/index\.js$/);
    assert.match(import.meta.resolve('tidings/client'), /\/dist\/client\/index\.js$/);
  });
});
