/**
 * SQLite faults and sharing: a path that cannot hold a database, a file locked by another writer, several
 * connections (processes) writing one file, and migrations re-run on an existing file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, createSqliteInboxStore } from '../../../src/inbox/index.js';
import { assertCode, assertConsistent, uniqueUser } from '../../contract/inbox-store-helpers.js';

/** A count's unread and seq (its `rev` depends on how many marks came before). */
const pick = (c: { unread: number; seq: number }) => ({ unread: c.unread, seq: c.seq });

const dir = mkdtempSync(join(tmpdir(), 'tidings-inbox-faults-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function refusesToOpen(path: string): void {
  assert.throws(
    () => createSqliteInboxStore({ path }),
    (err: unknown) => {
      assertCode(err, 'INBOX_UNAVAILABLE');
      assert.ok((err as Error).message.includes(path), `the message names the path: ${(err as Error).message}`);
      return true;
    },
  );
}

it('refuses a path under a regular file, or a directory, with INBOX_UNAVAILABLE naming the path', () => {
  const file = join(dir, 'not-a-directory');
  writeFileSync(file, 'x');
  refusesToOpen(join(file, 'inbox.db'));
  refusesToOpen(dir);
});

it('creates missing directories for the database file', async () => {
  const path = join(dir, 'a', 'b', 'inbox.db');
  const store = createSqliteInboxStore({ path });
  await store.add({ userId: 'alice', kind: 'k', data: {} });
  await store.close();
  assert.ok(existsSync(path));
});

it('re-running migrations on an existing file changes nothing and keeps the data', async () => {
  const path = join(dir, 'reopen.db');
  const first = createSqliteInboxStore({ path });
  await first.add({ userId: 'alice', kind: 'k', data: { v: 1 } });
  await first.close();
  const second = createSqliteInboxStore({ path });
  assert.deepEqual(pick(await second.counts('alice')), { unread: 1, seq: 1 });
  await second.close();
  const db = new Database(path, { readonly: true });
  const versions = db.prepare('SELECT version FROM tidings_migrations ORDER BY version').all();
  db.close();
  assert.deepEqual(versions, MIGRATIONS.map((m) => ({ version: m.version })));
});

it('keeps seqs gap-free when several connections write the same file', async () => {
  const path = join(dir, 'shared.db');
  const stores = [createSqliteInboxStore({ path }), createSqliteInboxStore({ path }), createSqliteInboxStore({ path })];
  const alice = uniqueUser('alice');
  const results = await Promise.all(
    stores.flatMap((store) => Array.from({ length: 100 }, (_, i) => store.add({ userId: alice, kind: 'k', data: { i } }))),
  );
  const seqs = results.map((r) => r.notification.seq).sort((a, b) => a - b);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  await Promise.all(stores.map((s) => s.markAllRead(alice)));
  await assertConsistent(stores[1]!, alice);
  await Promise.all(stores.map((s) => s.close()));
});

it('fails a write with INBOX_UNAVAILABLE when another writer holds the lock past busy_timeout, burning nothing', async () => {
  const path = join(dir, 'locked.db');
  const store = createSqliteInboxStore({ path, busyTimeoutMs: 100 });
  await store.add({ userId: 'alice', kind: 'k', data: {} });
  const other = new Database(path);
  other.exec('BEGIN IMMEDIATE');
  const started = Date.now();
  await assert.rejects(store.add({ userId: 'alice', kind: 'k', data: {} }), (err: unknown) => {
    assertCode(err, 'INBOX_UNAVAILABLE');
    return true;
  });
  assert.ok(Date.now() - started < 2000);
  assert.equal(await store.ping(), true, 'reads still work while a writer holds the lock');
  other.exec('ROLLBACK');
  other.close();
  assert.equal((await store.add({ userId: 'alice', kind: 'k', data: {} })).notification.seq, 2);
  await assertConsistent(store, 'alice');
  await store.close();
});
