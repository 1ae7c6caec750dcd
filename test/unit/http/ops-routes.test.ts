/**
 * `/readyz` on a healthy server: every check is a pass flag, so each reads `true` (a healthy server is
 * `accepting`, not "draining: true").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../../../src/testing/index.js';

describe('/readyz', () => {
  it('a healthy server answers 200 with every check true', async (t) => {
    const srv = await startTestServer();
    t.after(() => srv.close());
    const res = await fetch(`${srv.url}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ready', checks: { accepting: true, layer: true, inbox: true } });
  });
});
