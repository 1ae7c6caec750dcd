import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode } from '../../../src/client/index.js';
import { createFetch, hello } from './fakes.js';
import { accept, startClient } from './harness.js';

const page = { items: [{ id: 'n1', seq: 1, kind: 'follow', data: { from: 'carol' }, createdAt: '2025-01-01T00:00:00Z', readAt: null }], nextBefore: null, unread: 4 };

test('list() calls GET /v1/me/notifications with the query and the socket token', async (t) => {
  const http = createFetch(() => ({ body: page }));
  const h = await startClient(t, { fetch: http.fetch, url: 'wss://tidings.test:8443/inform/' });
  await accept(h, hello({ unread: 4 }));
  const result = await h.client.list({ before: 9, limit: 5, unreadOnly: true });
  assert.deepEqual(result, page);
  const call = http.calls[0];
  assert.equal(call?.url.origin, 'https://tidings.test:8443');
  assert.equal(call?.url.pathname, '/v1/me/notifications');
  assert.deepEqual(Object.fromEntries(call?.url.searchParams ?? []), { limit: '5', before: '9', unread: '1' });
  assert.equal(call?.headers.authorization, 'Bearer tok1');
  assert.equal(h.tokenCalls(), 1, 'the socket token was reused');
});

test('httpUrl overrides the API base', async (t) => {
  const http = createFetch(() => ({ body: page }));
  const h = await startClient(t, { fetch: http.fetch, httpUrl: 'https://api.test/tidings/' });
  await h.client.list();
  assert.equal(http.calls[0]?.url.href, 'https://api.test/tidings/v1/me/notifications?limit=20');
});

test('markRead and markAllRead go over the socket when it is open', async (t) => {
  const http = createFetch(() => ({ body: { unread: 0 } }));
  const h = await startClient(t, { fetch: http.fetch });
  await accept(h, hello({ unread: 2 }));
  await h.client.markRead(['a', 'b', 'a', '']);
  await h.client.markRead([]);
  await h.client.markAllRead();
  assert.deepEqual(h.last().sent, [{ type: 'read', ids: ['a', 'b'] }, { type: 'read_all' }]);
  assert.equal(http.calls.length, 0);
  assert.deepEqual(h.events.reads, [{ ids: ['a', 'b'] }, { all: true }]);
});

test('a long id list is split into frames the server accepts (1000 ids each)', async (t) => {
  const h = await startClient(t);
  await accept(h, hello());
  await h.client.markRead(Array.from({ length: 2500 }, (_, i) => `id${i}`));
  assert.deepEqual(h.last().sent.map((f) => (f.ids as string[]).length), [1000, 1000, 500]);
});

test('markRead and markAllRead fall back to POST /v1/me/read when offline, and take its count', async (t) => {
  const http = createFetch((call) => ({ body: { unread: call.body && 'all' in (call.body as object) ? 0 : 1 } }));
  const h = await startClient(t, { fetch: http.fetch });
  await accept(h, hello({ unread: 2 }));
  h.last().serverClose(CloseCode.SHUTDOWN);
  await h.client.markRead(['n1']);
  assert.equal(h.client.unreadCount, 1);
  await h.client.markAllRead();
  assert.equal(h.client.unreadCount, 0);
  assert.deepEqual(http.calls.map((c) => [c.method, c.url.pathname, c.body]), [
    ['POST', '/v1/me/read', { ids: ['n1'] }],
    ['POST', '/v1/me/read', { all: true }],
  ]);
  assert.equal(http.calls[0]?.headers['content-type'], 'application/json');
});

test('a 401 with the cached token retries once with a fresh token', async (t) => {
  const http = createFetch((call) => (call.headers.authorization === 'Bearer tok1' ? { status: 401, body: { code: 'TOKEN_EXPIRED', message: 'token expired' } } : { body: page }));
  const h = await startClient(t, { fetch: http.fetch });
  await accept(h, hello());
  await h.client.list();
  assert.deepEqual(http.calls.map((c) => c.headers.authorization), ['Bearer tok1', 'Bearer tok2']);
});

test('HTTP errors reject with the server code and status', async (t) => {
  const http = createFetch(() => ({ status: 503, body: { code: 'INBOX_UNAVAILABLE', message: 'inbox database unavailable' } }));
  const h = await startClient(t, { fetch: http.fetch });
  await assert.rejects(h.client.list(), { name: 'TidingsClientError', code: 'INBOX_UNAVAILABLE', status: 503 });
  const broken = createFetch(() => ({ status: 502, body: undefined }));
  const h2 = await startClient(t, { fetch: broken.fetch });
  await assert.rejects(h2.client.markAllRead(), { code: 'HTTP_ERROR', status: 502 });
  const failing = await startClient(t, { fetch: () => Promise.reject(new Error('offline')) });
  await assert.rejects(failing.client.list(), { code: 'NETWORK_ERROR' });
});

test('markUnread, archive and archiveRead: frames when open, POST /v1/me/unread|archive when not; a change event each', async (t) => {
  const http = createFetch((call) => ({ body: { unread: call.url.pathname.endsWith('/unread') ? 3 : 1 } }));
  const h = await startClient(t, { fetch: http.fetch });
  const changes: unknown[] = [];
  h.client.on('change', (c) => changes.push(c));
  await accept(h, hello({ unread: 2 }));
  await h.client.markUnread(['a', 'a', '']);
  await h.client.archive(['b']);
  await h.client.archiveRead();
  await h.client.archive([]);
  assert.deepEqual(h.last().sent, [{ type: 'mark_unread', ids: ['a'] }, { type: 'archive', ids: ['b'] }, { type: 'archive_read' }]);
  assert.equal(http.calls.length, 0);
  h.last().serverClose(CloseCode.SHUTDOWN);
  await h.client.markUnread(['c']);
  assert.equal(h.client.unreadCount, 3, 'offline: the answer carries the count');
  await h.client.archive(['d']);
  await h.client.archiveRead();
  assert.equal(h.client.unreadCount, 1);
  assert.deepEqual(http.calls.map((c) => [c.method, c.url.pathname, c.body]), [
    ['POST', '/v1/me/unread', { ids: ['c'] }],
    ['POST', '/v1/me/archive', { ids: ['d'] }],
    ['POST', '/v1/me/archive', { read: true }],
  ]);
  assert.deepEqual(changes, [{ unread: ['a'] }, { archive: ['b'] }, { archiveRead: true }, { unread: ['c'] }, { archive: ['d'] }, { archiveRead: true }]);
});
