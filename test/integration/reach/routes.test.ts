/**
 * The reach HTTP routes on a real server: presence (API key or the user's own token), preferences (API key
 * and /v1/me), contact (API key only), push subscriptions, and a clear 400 for bad shapes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../../src/testing/index.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ settings: { vapidPublicKey: 'BPub', vapidPrivateKey: 'priv', vapidSubject: 'mailto:ops@example.test' } });
});
after(() => srv.close());

const asUser = async (user: string, path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(srv.url + path, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${await srv.tidings.token(user)}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

test('presence: never seen, online while a socket is open, offline with lastSeen after', async () => {
  assert.deepEqual(await (await srv.api('/v1/users/nobody/presence')).json(), { user: 'nobody', online: false, connections: 0, lastSeen: null });
  const tab = await srv.connect('/inform/', { user: 'alice' });
  await tab.nextOfType('hello');
  const online = (await (await asUser('alice', '/v1/users/alice/presence')).json()) as { online: boolean; connections: number };
  assert.deepEqual([online.online, online.connections], [true, 1]);
  assert.equal((await asUser('bob', '/v1/users/alice/presence')).status, 403);
  assert.equal((await fetch(`${srv.url}/v1/users/alice/presence`)).status, 401);
  tab.close();
  await tab.closed();
  for (;;) {
    const p = (await (await srv.api('/v1/users/alice/presence')).json()) as { online: boolean; lastSeen: string | null };
    if (!p.online) {
      assert.notEqual(p.lastSeen, null);
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
});

test('preferences: defaults on, PUT then GET round-trips through the API key and /v1/me', async () => {
  assert.deepEqual(await (await srv.api('/v1/users/carol/preferences')).json(), { channels: { push: true, email: true, webhook: true }, kinds: {} });
  const put = await srv.api('/v1/users/carol/preferences', { method: 'PUT', body: { channels: { email: false }, kinds: { reply: { email: true } } } });
  assert.equal(put.status, 200);
  const expected = { channels: { push: true, email: false, webhook: true }, kinds: { reply: { email: true } } };
  assert.deepEqual(await put.json(), expected);
  assert.deepEqual(await (await asUser('carol', '/v1/me/preferences')).json(), expected);
  const mine = await asUser('carol', '/v1/me/preferences', { method: 'PUT', body: { channels: { push: false } } });
  assert.deepEqual(await mine.json(), { channels: { push: false, email: true, webhook: true }, kinds: {} });
  assert.equal((await fetch(`${srv.url}/v1/users/carol/preferences`, { headers: { authorization: `Bearer ${await srv.tidings.token('carol')}` } })).status, 401, 'API key only');
});

test('preferences: a bad shape is a 400 INVALID_BODY naming each problem', async () => {
  const res = await srv.api('/v1/users/carol/preferences', { method: 'PUT', body: { channels: { sms: true, email: 'yes' }, kinds: { reply: { push: 1 } } } });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { code: string; details: { path: string }[] };
  assert.equal(body.code, 'INVALID_BODY');
  const paths = body.details.map((d) => d.path).sort();
  assert.deepEqual(paths, ['channels', 'channels.email', 'kinds.reply.push']);
  assert.equal((await srv.api('/v1/users/carol/preferences', { method: 'PUT', body: '[1]' })).status, 400);
});

test('contact: API key only, validated', async () => {
  const ok = await srv.api('/v1/users/dave/contact', { method: 'PUT', body: { email: 'dave@example.test' } });
  assert.deepEqual(await ok.json(), { user: 'dave', email: 'dave@example.test' });
  assert.equal(await srv.tidings.reach!.store.getEmail('dave'), 'dave@example.test');
  assert.equal((await srv.api('/v1/users/dave/contact', { method: 'PUT', body: { email: 'not an address' } })).status, 400);
  assert.equal((await asUser('dave', '/v1/users/dave/contact', { method: 'PUT', body: { email: 'x@example.test' } })).status, 401);
});

test('push: public key, subscribe and unsubscribe with the user token', async () => {
  assert.deepEqual(await (await fetch(`${srv.url}/v1/push/public-key`)).json(), { publicKey: 'BPub' });
  const sub = { endpoint: 'https://push.example.test/abc', keys: { p256dh: 'p', auth: 'a' } };
  assert.equal((await asUser('erin', '/v1/me/push-subscriptions', { method: 'POST', body: sub })).status, 201);
  assert.equal((await asUser('erin', '/v1/me/push-subscriptions', { method: 'POST', body: { endpoint: 'javascript:x', keys: {} } })).status, 400);
  assert.deepEqual(await (await asUser('frank', '/v1/me/push-subscriptions', { method: 'DELETE', body: { endpoint: sub.endpoint } })).json(), { removed: false });
  assert.deepEqual(await (await asUser('erin', '/v1/me/push-subscriptions', { method: 'DELETE', body: { endpoint: sub.endpoint } })).json(), { removed: true });
});

test('push: 404 when Web Push is not configured', async () => {
  const plain = await startTestServer();
  after(() => plain.close());
  const res = await fetch(`${plain.url}/v1/push/public-key`);
  assert.equal(res.status, 404);
  assert.equal(((await res.json()) as { code: string }).code, 'NOT_FOUND');
});
