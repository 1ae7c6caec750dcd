/**
 * The demo's webhook receiver: escalations posted by a server to another's /demo/api/webhook are checked
 * (signature, freshness), kept once per delivery and listed by /demo/api/webhook-log; a bad signature is 400.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startTestServer } from '../../../src/testing/index.js';
import { eventually } from '../../support/time.js';

const SECRET = 'demo-secret';

test('the demo lists the signed events it receives, once per delivery', async () => {
  const demo = await startTestServer({ settings: { demo: true, webhookSecret: SECRET } });
  const sender = await startTestServer({ settings: { escalateAfter: 1, webhookUrl: `${demo.url}/demo/api/webhook`, webhookSecret: SECRET }, reach: { pollMs: 50 } });
  after(async () => {
    await sender.close();
    await demo.close();
  });
  const bad = await fetch(`${demo.url}/demo/api/webhook`, { method: 'POST', headers: { 'tidings-signature': `t=${Math.floor(Date.now() / 1000)},v1=00`, 'tidings-delivery': 'x' }, body: '{}' });
  assert.equal(bad.status, 400);
  await sender.notify('alice', { kind: 'reply', data: { text: 'hi' } });
  const log = await eventually(
    async () => (await (await fetch(`${demo.url}/demo/api/webhook-log`)).json()) as { configured: boolean; items: { validSignature: boolean; event: { type: string; user: string } }[] },
    (l) => l.items.length > 0,
    8000,
  );
  assert.equal(log.configured, false, 'this demo posts nowhere itself');
  assert.deepEqual(log.items.map((i) => [i.validSignature, i.event.type, i.event.user]), [[true, 'notification.unseen', 'alice']]);
  assert.equal((await fetch(`${demo.url}/reach-demo.js`)).status, 200, 'the page script is served');
});
