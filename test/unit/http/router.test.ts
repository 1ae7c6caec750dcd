/**
 * Paths are read as the proxy saw them: `//x/metrics` is not `/metrics` (nginx forwards the raw URI, so a
 * location it refuses must not be reachable through another spelling), for HTTP routes and upgrades alike.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requestUrl } from '../../../src/http/index.js';
import { startTestServer } from '../../../src/testing/index.js';

describe('requestUrl', () => {
  it('keeps a leading double slash in the path instead of reading it as a host', () => {
    assert.equal(requestUrl('//x/metrics').pathname, '//x/metrics');
    assert.equal(requestUrl('//x/metrics').host, 'localhost');
    assert.equal(requestUrl('/v1/me/poll?since=3').searchParams.get('since'), '3');
    assert.equal(requestUrl(undefined).pathname, '/');
  });

  it('reads an absolute-form target by its own path', () => {
    assert.equal(requestUrl('http://example.com/healthz?a=1').pathname, '/healthz');
  });
});

describe('a server reads request paths as the proxy forwarded them', () => {
  it('GET //x/metrics is 404, not the metrics; GET /metrics is the metrics', async (t) => {
    const srv = await startTestServer();
    t.after(() => srv.close());
    const port = new URL(srv.url).port;
    const raw = await rawGet(Number(port), '//x/metrics');
    assert.equal(raw.status, 404);
    assert.doesNotMatch(raw.body, /tidings_/);
    assert.equal((await fetch(`${srv.url}/metrics`)).status, 200);
  });
});

/** A GET with the request target exactly as given (fetch would normalise nothing, but say so explicitly). */
async function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
