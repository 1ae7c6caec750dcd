/**
 * The backend's HTTP API under bad input and faults: API key checks, field errors, body limits, content
 * types, unknown recipients, several recipients, idempotent publishing, per-user read access (403 for
 * another user's token), and an unreachable database (503, nothing pushed) on SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import pg from 'pg';
import { SignJWT } from 'jose';
import { PostgresInboxStore, createInboxStore } from '../../../src/inbox/index.js';
import { startTestServer, TEST_API_KEY, TEST_JWT_SECRET, type Frame, type TestServer, type TestSocket } from '../../../src/testing/index.js';
import { DATABASE_URL, postgresSkipReason, uniqueName } from '../../support/services/postgres.js';
import { framesUntil } from '../../support/frames.js';
import { freePort } from '../../support/ports.js';
import { DatabaseProxy } from '../../support/proxy/database-proxy.js';

/** A count's unread and seq (its `rev` depends on how many marks came before). */
const pick = (c: { unread: number; seq: number }) => ({ unread: c.unread, seq: c.seq });

const pgSkip = await postgresSkipReason();
let srv: TestServer;
before(async () => {
  srv = await startTestServer({ settings: { maxBodyBytes: 2048, cookieName: 'tid' } });
});
after(() => srv.close());

type Json = Record<string, unknown>;

async function call(path: string, init: { method?: string; body?: string | Readable; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(srv.url + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body, duplex: 'half' }),
  } as RequestInit);
  return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
}

const JSON_KEY = { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
const publish = (body: unknown) => call('/v1/notifications', { body: JSON.stringify(body), headers: JSON_KEY });

/** A broadcast marker: the frames each socket receives before it. */
async function beforeMarker(sockets: TestSocket[], server: TestServer = srv): Promise<Frame[][]> {
  const label = Math.random().toString(36).slice(2);
  await server.tidings.broadcast({ kind: 'marker', data: { label } });
  const isMarker = (f: Frame) => f.type === 'broadcast' && (f.data as { label: string }).label === label;
  return Promise.all(sockets.map(async (s) => (await framesUntil(s, isMarker)).slice(0, -1)));
}

describe('POST /v1/notifications: bad input', () => {
  it('401 without the API key, with a wrong one, one of another length, or another scheme', async () => {
    const body = JSON.stringify({ to: 'alice', kind: 'reply' });
    const keys = [undefined, 'Bearer wrong-key-same-len', 'Bearer x', `Bearer ${TEST_API_KEY}${'x'.repeat(500)}`, `Basic ${TEST_API_KEY}`, `Bearer ${TEST_API_KEY.slice(0, -1)}`];
    for (const authorization of keys) {
      const res = await call('/v1/notifications', { body, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) } });
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.body.code, 'UNAUTHORIZED');
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    }
    const stored = await srv.tidings.inbox.counts('alice');
    assert.equal(stored.seq, 0, 'nothing was stored');
  });

  it('400 INVALID_BODY naming every bad field in details', async () => {
    const res = await publish({ to: '', kind: 'not a kind!', data: 5, dedupeKey: '' });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'INVALID_BODY');
    const paths = (res.body.details as Array<{ path: string }>).map((d) => d.path).sort();
    assert.deepEqual(paths, ['data', 'dedupeKey', 'kind', 'to']);
    const empty = await publish({ to: [], kind: 'reply' });
    assert.equal(empty.status, 400);
    assert.deepEqual((empty.body.details as Array<{ path: string }>).map((d) => d.path), ['to']);
  });

  it('400 BAD_JSON for malformed JSON, 415 for another content type', async () => {
    const bad = await call('/v1/notifications', { body: '{"to":', headers: JSON_KEY });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'BAD_JSON');
    const text = await call('/v1/notifications', { body: 'to=alice', headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(text.status, 415);
    assert.equal(text.body.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('413 for a body over maxBodyBytes, declared or streamed, and the server keeps serving', async () => {
    const big = JSON.stringify({ to: 'alice', kind: 'reply', data: { text: 'x'.repeat(4000) } });
    const declared = await call('/v1/notifications', { body: big, headers: JSON_KEY });
    assert.equal(declared.status, 413);
    assert.equal(declared.body.code, 'PAYLOAD_TOO_LARGE');
    const chunks = Readable.from((function* () {
      for (let i = 0; i < 50; i++) yield Buffer.from('x'.repeat(1000));
    })());
    const streamed = await call('/v1/notifications', { body: chunks, headers: JSON_KEY });
    assert.equal(streamed.status, 413);
    assert.equal((await srv.tidings.inbox.counts('alice')).seq, 0);
    assert.equal((await publish({ to: 'zed', kind: 'reply' })).status, 201);
  });
});

describe('POST /v1/notifications: recipients and idempotency', () => {
  it('an unknown recipient is fine: stored, then delivered on connect through the replay', async () => {
    const res = await publish({ to: 'newcomer', kind: 'welcome', data: { hi: 1 } });
    assert.equal(res.status, 201);
    assert.equal(res.body.seq, 1);
    const socket = await srv.connect('/inform/', { user: 'newcomer', since: 0 });
    assert.deepEqual(await socket.nextFrame(), { type: 'hello', user: 'newcomer', unread: 1, seq: 1, ping: 25 });
    const replayed = await socket.nextFrame();
    assert.equal(replayed.id, res.body.id);
    assert.deepEqual(replayed.data, { hi: 1 });
    socket.close();
  });

  it('`to` as an array stores one per recipient and pushes each to its own user', async () => {
    const [ann, ben] = await Promise.all([srv.connect('/inform/', { user: 'ann' }), srv.connect('/inform/', { user: 'ben' })]);
    await ann.nextFrame();
    await ben.nextFrame();
    const res = await publish({ to: ['ann', 'ben'], kind: 'mention', data: { where: 'thread' } });
    assert.equal(res.status, 201);
    const items = res.body.items as Json[];
    assert.deepEqual(items.map((i) => [i.userId, i.seq, i.created]), [['ann', 1, true], ['ben', 1, true]]);
    const [annFrames, benFrames] = await beforeMarker([ann, ben]);
    assert.deepEqual(annFrames?.map((f) => f.id), [items[0]?.id]);
    assert.deepEqual(benFrames?.map((f) => f.id), [items[1]?.id]);
    ann.close();
    ben.close();
  });

  it('a dedupeKey makes publishing idempotent: created:false the second time, pushed once', async () => {
    const socket = await srv.connect('/inform/', { user: 'dora' });
    await socket.nextFrame();
    const body = { to: 'dora', kind: 'reply', data: { n: 1 }, dedupeKey: 'comment-42' };
    const first = await publish(body);
    const second = await publish(body);
    assert.equal(first.status, 201);
    assert.equal(first.body.created, true);
    assert.equal(second.body.created, false);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.body.seq, 1);
    const [viaSdk] = await srv.tidings.notify(body);
    assert.equal(viaSdk?.created, false);
    assert.deepEqual((await beforeMarker([socket]))[0]?.map((f) => f.seq), [1]);
    assert.deepEqual(pick(await srv.tidings.inbox.counts('dora')), { unread: 1, seq: 1 });
    socket.close();
  });
});

describe('GET /v1/users/:id/*: the API key or the user\'s own token', () => {
  before(async () => {
    await srv.tidings.notify({ to: 'alice', kind: 'reply', data: {} });
    await srv.tidings.notify({ to: 'bob', kind: 'reply', data: {} });
  });

  it('the API key reads any user', async () => {
    for (const user of ['alice', 'bob']) {
      const list = await call(`/v1/users/${user}/notifications`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
      assert.equal(list.status, 200);
      assert.equal((list.body.items as unknown[]).length, 1);
      const count = await call(`/v1/users/${user}/unread-count`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
      assert.deepEqual(count.body, { unread: 1, seq: 1 });
    }
  });

  it("alice's token reads alice (Bearer or cookie) and gets 403 FORBIDDEN for anyone else", async () => {
    const token = await srv.tidings.token('alice');
    const own = await call('/v1/users/alice/notifications', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(own.status, 200);
    const cookie = await call('/v1/users/alice/unread-count', { headers: { cookie: `a=1; tid=${token}` } });
    assert.deepEqual(cookie.body, { unread: 1, seq: 1 });
    for (const other of ['bob', 'Alice', 'ALICE', '..%2Falice', 'alice%20', '%D0%B0lice']) {
      for (const path of [`/v1/users/${other}/notifications`, `/v1/users/${other}/unread-count`]) {
        const res = await call(path, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.status, 403, path);
        assert.equal(res.body.code, 'FORBIDDEN');
      }
    }
  });

  it('401 for no credentials, an invalid or expired token', async () => {
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('1h').sign(new TextEncoder().encode('another-secret-of-sufficient-length!!'));
    const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${expired}` }, { authorization: `Bearer ${forged}` }, { authorization: 'Bearer nonsense' }];
    for (const headers of attempts) {
      const res = await call('/v1/users/alice/notifications', { headers });
      assert.equal(res.status, 401, JSON.stringify(headers).slice(0, 40));
    }
    assert.equal((await call('/v1/users/alice/notifications', { headers: { authorization: `Bearer ${expired}` } })).body.code, 'TOKEN_EXPIRED');
  });

  it('a user token cannot publish or read stats (API key only)', async () => {
    const token = await srv.tidings.token('alice');
    const res = await call('/v1/notifications', { body: JSON.stringify({ to: 'alice', kind: 'x' }), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    assert.equal(res.status, 401);
    assert.equal((await call('/v1/stats', { headers: { authorization: `Bearer ${token}` } })).status, 401);
  });
});

describe('database unreachable: 503 INBOX_UNAVAILABLE, nothing pushed', () => {
  it('SQLite store whose close() was called', async () => {
    const own = await startTestServer();
    try {
      const socket = await own.connect('/inform/', { user: 'alice' });
      await socket.nextFrame();
      await own.tidings.inbox.close();
      const res = await fetch(`${own.url}/v1/notifications`, { method: 'POST', headers: JSON_KEY, body: JSON.stringify({ to: 'alice', kind: 'reply' }) });
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as Json).code, 'INBOX_UNAVAILABLE');
      await assert.rejects(own.tidings.notify({ to: 'alice', kind: 'reply' }), (err: Error & { code?: string }) => err.code === 'INBOX_UNAVAILABLE');
      assert.deepEqual(await beforeMarker([socket], own), [[]]);
      socket.close();
    } finally {
      await own.close();
    }
  });

  it('PostgreSQL at a closed port', { skip: pgSkip }, async () => {
    const port = await freePort();
    const url = new URL(DATABASE_URL);
    url.port = String(port);
    const pool = new pg.Pool({ connectionString: url.toString(), connectionTimeoutMillis: 1000 });
    const own = await startTestServer({ inbox: new PostgresInboxStore(pool, 'public') });
    try {
      const started = Date.now();
      const res = await fetch(`${own.url}/v1/notifications`, { method: 'POST', headers: JSON_KEY, body: JSON.stringify({ to: 'alice', kind: 'reply' }) });
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as Json).code, 'INBOX_UNAVAILABLE');
      assert.ok(Date.now() - started < 3000, 'fails fast');
    } finally {
      await own.close();
    }
  });

  it('PostgreSQL that goes away while a socket is connected', { skip: pgSkip }, async () => {
    const proxy = await new DatabaseProxy().start();
    const schema = uniqueName('t_notify_down');
    const inbox = await createInboxStore(proxy.url(), { schema });
    const own = await startTestServer({ inbox });
    try {
      const socket = await own.connect('/inform/', { user: 'alice' });
      assert.equal((await socket.nextFrame()).type, 'hello');
      await own.tidings.notify({ to: 'alice', kind: 'reply' });
      assert.equal((await socket.nextFrame()).seq, 1);
      await proxy.cut();
      const res = await fetch(`${own.url}/v1/notifications`, { method: 'POST', headers: JSON_KEY, body: JSON.stringify({ to: 'alice', kind: 'reply' }) });
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as Json).code, 'INBOX_UNAVAILABLE');
      assert.deepEqual(await beforeMarker([socket], own), [[]], 'nothing pushed that was not stored');
      socket.close();
    } finally {
      await own.close();
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      assert.equal((await admin.query(`SELECT count(*)::int AS n FROM "${schema}".inbox_notifications`)).rows[0].n, 1, 'nothing stored half-way');
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
