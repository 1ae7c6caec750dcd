/**
 * Escalation by Web Push to a local push service: the message is encrypted (RFC 8291) for the keys the
 * test generated and decrypted here as a browser would; the VAPID JWT is checked (ES256 with the configured
 * key, aud, sub); a subscription answered 410 is removed.
 */
import assert from 'node:assert/strict';
import { globalAgent } from 'node:https';
import { after, test } from 'node:test';
import { generateVapidKeys } from '../../../src/reach/index.js';
import { startTestServer } from '../../../src/testing/index.js';
import { eventually } from '../../support/time.js';
import { PushEndpoint } from './push-endpoint.js';

test('unseen notifications go by Web Push, encrypted and VAPID-signed; a gone subscription is removed', async () => {
  const push = await PushEndpoint.start();
  // The test's push service has a self-signed certificate: trust it in this process only.
  const previousCa = globalAgent.options.ca;
  globalAgent.options.ca = push.cert;
  const vapid = generateVapidKeys();
  const srv = await startTestServer({
    settings: { escalateAfter: 1, vapidPublicKey: vapid.publicKey, vapidPrivateKey: vapid.privateKey, vapidSubject: 'mailto:ops@example.test' },
    reach: { pollMs: 50 },
  });
  after(async () => {
    await srv.close();
    await push.close();
    globalAgent.options.ca = previousCa;
  });
  const token = await srv.tidings.token('alice');
  const subscribe = (body: unknown) =>
    fetch(`${srv.url}/v1/me/push-subscriptions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const live = push.subscribe('/push/alice-laptop');
  const gone = push.subscribe('/push/alice-old-phone');
  push.statusFor.set('/push/alice-old-phone', 410);
  assert.equal((await subscribe(live)).status, 201);
  assert.equal((await subscribe(gone)).status, 201);
  const key = (await (await fetch(`${srv.url}/v1/push/public-key`)).json()) as { publicKey: string };
  assert.equal(key.publicKey, vapid.publicKey);

  await srv.notify('alice', { kind: 'reply', data: { text: 'bob replied' } });
  await eventually(async () => push.received.length, (n) => n === 2, 8000);
  assert.deepEqual(push.errors, []);
  const got = push.received.find((r) => r.path === '/push/alice-laptop')!;
  assert.deepEqual(JSON.parse(got.payload), { title: 'reply', body: 'bob replied', tag: 'tidings-alice', data: { user: 'alice', ids: [(await srv.tidings.list('alice')).items[0]!.id] } });
  assert.equal(got.vapid.aud, push.origin);
  assert.equal(got.vapid.sub, 'mailto:ops@example.test');
  assert.equal(got.vapid.key, vapid.publicKey);
  assert.ok(Number(got.ttl) > 0);
  const store = srv.tidings.reach!.store;
  await eventually(() => store.backlog(), (b) => b.deliveries === 0);
  assert.equal(await store.removeSubscription(gone.endpoint), false, 'the 410 subscription was removed');
  assert.equal(await store.removeSubscription(live.endpoint), true, 'the live one stays');
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(metrics, /tidings_escalations_total\{channel="push",result="sent"\} 1/);
  assert.match(metrics, /tidings_escalations_total\{channel="push",result="dropped"\} 1/);
});
