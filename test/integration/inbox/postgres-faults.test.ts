/**
 * PostgreSQL faults: an unreachable server, a connection cut under load, a server that never answers, and
 * several processes migrating a fresh schema at once. The shared server is never stopped: a TCP proxy in
 * front of it is cut instead.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MIGRATIONS, createPostgresInboxStore, type AddResult, type PostgresInboxStore } from '../../../src/inbox/index.js';
import { assertCode, assertConsistent, uniqueUser } from '../../contract/inbox-store-helpers.js';
import { DATABASE_URL, adminQuery, dropSchemas, postgresSkipReason, uniqueSchema } from '../../support/services/postgres.js';
import { DatabaseProxy } from '../../support/proxy/database-proxy.js';
import { freePort } from '../../support/ports.js';

const skip = await postgresSkipReason();
const schemas: string[] = [];
after(() => dropSchemas(schemas));

function freshSchema(label: string): string {
  const schema = uniqueSchema(label);
  schemas.push(schema);
  return schema;
}

async function storeVia(proxy: DatabaseProxy, schema: string): Promise<PostgresInboxStore> {
  return createPostgresInboxStore({ url: proxy.url(), schema, poolSize: 4, connectTimeoutMs: 1000, queryTimeoutMs: 3000 });
}

async function rowsOf(schema: string, userId: string): Promise<number> {
  const rows = await adminQuery<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${schema}".inbox_notifications WHERE user_id = $1`,
    [userId],
  );
  return rows[0]!.n;
}

it('fails to open with INBOX_UNAVAILABLE within seconds when nothing listens', async () => {
  const url = `postgres://postgres:secret@127.0.0.1:${await freePort()}/test`;
  const started = Date.now();
  const opening = createPostgresInboxStore({ url, schema: 'unused', connectTimeoutMs: 1000 });
  await assert.rejects(opening, (err: unknown) => {
    assertCode(err, 'INBOX_UNAVAILABLE');
    assert.match((err as Error).message, /127\.0\.0\.1/);
    assert.doesNotMatch((err as Error).message, /secret/, 'the password is not in the message');
    return true;
  });
  assert.ok(Date.now() - started < 3000, `failed after ${Date.now() - started} ms`);
});

describe('PostgresInboxStore faults', { skip }, () => {
  it('rejects add with INBOX_UNAVAILABLE when the database goes away, stores nothing, and recovers', async (t) => {
    const proxy = await new DatabaseProxy().start();
    t.after(() => proxy.cut());
    const schema = freshSchema('down');
    const store = await storeVia(proxy, schema);
    t.after(() => store.close());
    const alice = uniqueUser('alice');
    for (let i = 0; i < 3; i++) await store.add({ userId: alice, kind: 'k', data: { i } });

    await proxy.cut();
    const started = Date.now();
    const failed = await Promise.allSettled([1, 2, 3].map((i) => store.add({ userId: alice, kind: 'k', data: { i } })));
    assert.ok(Date.now() - started < 5000, `add failed after ${Date.now() - started} ms`);
    for (const r of failed) assertCode(r.status === 'rejected' ? r.reason : r, 'INBOX_UNAVAILABLE');
    await assert.rejects(store.counts(alice), (err: unknown) => (assertCode(err, 'INBOX_UNAVAILABLE'), true));
    assert.equal(await store.ping(), false, 'ping answers false instead of throwing');
    assert.equal(await rowsOf(schema, alice), 3, 'nothing of the failed adds was stored');

    await proxy.start();
    assert.equal((await store.add({ userId: alice, kind: 'k', data: {} })).notification.seq, 4, 'no seq was burned');
    assert.equal(await store.ping(), true);
    await assertConsistent(store, alice);
  });

  it('turns a server that never answers into INBOX_UNAVAILABLE after the connect timeout', async (t) => {
    const proxy = await new DatabaseProxy().start();
    t.after(() => proxy.cut());
    const store = await storeVia(proxy, freshSchema('silent'));
    t.after(() => store.close());
    proxy.swallow();
    const add = () => store.add({ userId: uniqueUser('a'), kind: 'k', data: {} });
    // The first add may still meet a pooled connection that just died; the next must open a new one.
    await assert.rejects(add(), (err: unknown) => (assertCode(err, 'INBOX_UNAVAILABLE'), true));
    const started = Date.now();
    await assert.rejects(add(), (err: unknown) => (assertCode(err, 'INBOX_UNAVAILABLE'), true));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 5000, `add failed after ${elapsed} ms, connect timeout is 1000 ms`);
    const opening = createPostgresInboxStore({ url: proxy.url(), schema: 'unused', connectTimeoutMs: 1000 });
    await assert.rejects(opening, (err: unknown) => (assertCode(err, 'INBOX_UNAVAILABLE'), true));
  });

  it('leaves every user consistent when the connection drops under load', async (t) => {
    const proxy = await new DatabaseProxy().start();
    t.after(() => proxy.cut());
    const schema = freshSchema('load');
    const store = await storeVia(proxy, schema);
    t.after(() => store.close());
    const users = [uniqueUser('a'), uniqueUser('b'), uniqueUser('c')];
    let resolved = 0;
    let cutting: Promise<void> | undefined;
    const adds = Array.from({ length: 3000 }, (_, i) =>
      store.add({ userId: users[i % 3]!, kind: 'k', data: { i } }).then((r) => {
        if (++resolved === 200) cutting = proxy.cut(); // after the first batches committed
        return r;
      }),
    );
    const settled = await Promise.allSettled(adds);
    await cutting;
    const ok = settled.filter((s): s is PromiseFulfilledResult<AddResult> => s.status === 'fulfilled');
    assert.ok(ok.length >= 200 && ok.length < 3000, `${ok.length} adds succeeded`);
    for (const s of settled) if (s.status === 'rejected') assertCode(s.reason, 'INBOX_UNAVAILABLE');

    await proxy.start();
    for (const userId of users) {
      const rows = await assertConsistent(store, userId);
      const stored = new Map(rows.map((r) => [r.id, r.seq]));
      for (const { value } of ok.filter((s) => s.value.notification.userId === userId)) {
        assert.equal(stored.get(value.notification.id), value.notification.seq, 'every resolved add is stored');
      }
    }
  });

  it('migrates a fresh schema once when several processes start at the same time', async (t) => {
    const schema = freshSchema('race');
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => createPostgresInboxStore({ url: DATABASE_URL, schema, poolSize: 2 })),
    );
    t.after(() => Promise.all(stores.map((s) => s.close())));
    const applied = await adminQuery<{ version: number }>(`SELECT version FROM "${schema}".tidings_migrations ORDER BY 1`);
    assert.deepEqual(applied.map((r) => r.version), MIGRATIONS.map((m) => m.version));

    const alice = uniqueUser('alice');
    const results = await Promise.all(
      stores.flatMap((store) => Array.from({ length: 50 }, (_, i) => store.add({ userId: alice, kind: 'k', data: { i } }))),
    );
    const seqs = results.map((r) => r.notification.seq).sort((a, b) => a - b);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'stores sharing a database never share a seq');
    await assertConsistent(stores[0]!, alice);
  });
});
