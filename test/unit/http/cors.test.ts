/**
 * A page on another origin: `/v1/me/*` answers preflights and carries CORS headers for the Origins in
 * `allowedOrigins` (credentials for explicit ones, `*` without) and refuses the others with 403. The
 * bundles' CORS: bundle-routes.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
