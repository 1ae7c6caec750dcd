/** The browser bundles are served at `/bundles/<version>/…` with long caching, in production too. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BUNDLE_VERSION, bundlePath } from '../../../src/http/index.js';
import { startTestServer, type TestServer } from '../../../src/testing/index.js';

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
