/**
 * Escalation end to end on one server (SQLite): notifications left unseen go to a real webhook receiver,
 * signed, retried after a failure with the same delivery id, one digest per user; read or seen on a
 * visible tab before the deadline: nothing is sent.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startTestServer, type TestServer } from '../../../src/testing/index.js';
import { eventually } from '../../support/time.js';
import { WebhookReceiver } from './webhook-receiver.js';

const SECRET = 'whsec-test-secret';

async function setup(failFirst = 0): Promise<{ srv: TestServer; hook: WebhookReceiver }> {
  const hook = await WebhookReceiver.start(SECRET);
  hook.failFirst = failFirst;
  const srv = await startTestServer({
    settings: { escalateAfter: 1, webhookUrl: hook.url, webhookSecret: SECRET },
    reach: { pollMs: 50, backoffMs: () => 300 },
  });
  after(async () => {
    await srv.close();
    await hook.close();
  });
  return { srv, hook };
}

test('unseen notifications of a user go to the webhook as one signed digest, retried with the same delivery id', async () => {
  const { srv, hook } = await setup(1);
  const stored = Date.now();
  // Published together: stored in one commit, due at the same moment.
  await Promise.all([
    srv.notify('alice', { kind: 'reply', data: { text: 'hi' } }),
    srv.notify('alice', { kind: 'follow', data: { who: 'bob' } }),
    srv.notify('bob', { kind: 'reply', data: {} }),
  ]);
  const got = await hook.waitAccepted(2);
  const alice = got.find((a) => a.body.user === 'alice')!;
  assert.equal(alice.body.type, 'notification.unseen');
  assert.deepEqual(alice.body.notifications.map((n) => [n.seq, n.kind, n.data]), [[1, 'reply', { text: 'hi' }], [2, 'follow', { who: 'bob' }]]);
  assert.deepEqual(Object.keys(alice.body.notifications[0]!).sort(), ['createdAt', 'data', 'id', 'kind', 'seq']);
  assert.ok(hook.attempts.every((a) => a.validSignature), 'every attempt is signed');
  const failed = hook.attempts.find((a) => a.status === 500)!;
  const retried = hook.attempts.filter((a) => a.delivery === failed.delivery);
  assert.equal(retried.length, 2, 'the failed delivery was retried with the same Tidings-Delivery');
  assert.ok(retried[1]!.at - retried[0]!.at < 10_000, 'first retry within 10 s');
  assert.ok(Math.min(...got.map((a) => a.at)) - stored >= 1000, 'never before the deadline');
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(metrics, /tidings_escalations_total\{channel="webhook",result="sent"\} 2/);
  assert.match(metrics, /tidings_escalations_total\{channel="webhook",result="retried"\} 1/);
});

test('read before the deadline, or shown on a visible tab (also one shown after it came): nothing is sent; on a hidden tab: escalated', async () => {
  const { srv, hook } = await setup();
  const carol = await srv.connect('/inform/', { user: 'carol' });
  await carol.nextOfType('hello', 2000);
  const dave = await srv.connect('/inform/', { user: 'dave' });
  await dave.nextOfType('hello', 2000);
  dave.send({ type: 'visibility', state: 'hidden' });
  dave.send({ type: 'ping' });
  await dave.nextOfType('pong', 2000); // frames are handled in order: dave is hidden now
  await srv.notify('erin', { kind: 'read-me', data: {} });
  const erinList = await srv.tidings.list('erin');
  await srv.tidings.markRead('erin', [erinList.items[0]!.id]);
  await srv.notify('carol', { kind: 'seen', data: {} });
  await carol.nextOfType('notification', 2000);
  await srv.notify('dave', { kind: 'hidden', data: {} });
  await dave.nextOfType('notification', 2000);
  // hana's tab was hidden when her notification came, then shown: she saw it.
  const hana = await srv.connect('/inform/', { user: 'hana' });
  await hana.nextOfType('hello', 2000);
  hana.send({ type: 'visibility', state: 'hidden' });
  hana.send({ type: 'ping' });
  await hana.nextOfType('pong', 2000);
  await srv.notify('hana', { kind: 'shown-later', data: {} });
  await hana.nextOfType('notification', 2000);
  hana.send({ type: 'visibility', state: 'visible' });
  hana.send({ type: 'ping' });
  await hana.nextOfType('pong', 2000);
  await srv.notify('frank', { kind: 'marker', data: {} });
  // frank's marker was stored last: once it is out and nothing is left, everything earlier was decided.
  while (![...hook.accepted.values()].some((a) => a.body.user === 'frank')) await hook.waitAccepted(hook.accepted.size + 1);
  const store = srv.tidings.reach!.store;
  await eventually(() => store.backlog(), (b) => b.pending === 0 && b.deliveries === 0);
  const users = [...hook.accepted.values()].map((a) => a.body.user).sort();
  assert.deepEqual(users, ['dave', 'frank']);
  assert.equal((await srv.tidings.reach!.store.backlog()).pending, 0);
  carol.close();
  dave.close();
  hana.close();
});

test('a webhook that keeps failing is retried until the retry window ends, then dropped and counted', async () => {
  const hook = await WebhookReceiver.start(SECRET);
  hook.failFirst = Number.MAX_SAFE_INTEGER;
  const srv = await startTestServer({
    settings: { escalateAfter: 1, webhookUrl: hook.url, webhookSecret: SECRET },
    reach: { pollMs: 50, backoffMs: () => 100, retryWindowMs: 1000 },
  });
  after(async () => {
    await srv.close();
    await hook.close();
  });
  await srv.notify('gina', { kind: 'reply', data: {} });
  const store = srv.tidings.reach!.store;
  await eventually(() => store.backlog(), (b) => b.pending === 0 && b.deliveries === 0 && hook.attempts.length > 0, 8000);
  assert.ok(hook.attempts.length >= 3, `${hook.attempts.length} attempts`);
  assert.equal(new Set(hook.attempts.map((a) => a.delivery)).size, 1, 'one delivery id throughout');
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(metrics, /tidings_escalations_total\{channel="webhook",result="dropped"\} 1/);
  assert.match(metrics, /tidings_escalations_total\{channel="webhook",result="sent"\} 0/);
});
