import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, it } from 'node:test';
import { isTidingsError, type ErrorCode } from '../../../src/errors.js';
import { SqliteInboxStore, createInboxStore, createPostgresInboxStore, toView } from '../../../src/inbox/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tidings-inbox-url-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const failsWith = (code: ErrorCode, pattern?: RegExp) => (err: unknown) => {
  assert.ok(isTidingsError(err), String(err));
  assert.equal(err.code, code);
  if (pattern) assert.match(err.message, pattern);
  return true;
};

it('opens SQLite for sqlite::memory:, relative, absolute and sqlite:/// paths', async () => {
  const urls = ['sqlite::memory:', `sqlite:${relative(process.cwd(), join(dir, 'a.db'))}`, `sqlite://${join(dir, 'b.db')}`];
  for (const url of urls) {
    const store = await createInboxStore(url);
    assert.ok(store instanceof SqliteInboxStore, url);
    assert.equal((await store.add({ userId: 'u', kind: 'k', data: {} })).notification.seq, 1);
    await store.close();
  }
  assert.ok(existsSync(join(dir, 'a.db')) && existsSync(join(dir, 'b.db')));
});

it('refuses an unknown scheme or an empty path with CONFIG_INVALID, without leaking a password', async () => {
  await assert.rejects(createInboxStore('mysql://root:hunter2@db/app'), (err: unknown) => {
    failsWith('CONFIG_INVALID', /sqlite:<path>.*postgres:\/\//)(err);
    assert.doesNotMatch((err as Error).message, /hunter2/);
    return true;
  });
  await assert.rejects(createInboxStore('./data/tidings.db'), failsWith('CONFIG_INVALID'));
  await assert.rejects(createInboxStore('sqlite:'), failsWith('CONFIG_INVALID', /no path/));
});

it('refuses a bad PostgreSQL schema or pool size before connecting', async () => {
  const url = 'postgres://nobody@127.0.0.1:1/none';
  await assert.rejects(createPostgresInboxStore({ url, schema: 'bad"name' }), failsWith('CONFIG_INVALID', /schema/));
  await assert.rejects(createPostgresInboxStore({ url, poolSize: 0 }), failsWith('CONFIG_INVALID', /poolSize/));
});

it('toView keeps the wire fields only', () => {
  const view = toView({
    id: 'id1',
    userId: 'alice',
    seq: 3,
    kind: 'reply',
    data: { a: 1 },
    dedupeKey: 'k',
    createdAt: '2024-01-01T00:00:00.000Z',
    readAt: null,
  });
  assert.deepEqual(view, { id: 'id1', seq: 3, kind: 'reply', data: { a: 1 }, createdAt: '2024-01-01T00:00:00.000Z', readAt: null });
});
