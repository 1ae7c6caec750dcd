/**
 * Cases 16 and 17, with the real client (src/client over ws, its own reconnects and `since`), reaching the
 * server through a TCP proxy that plays the network:
 * - 16: the link is down for 5 s (the socket cut, reconnects refused) while 200 notifications are
 *   published, one every 25 ms; once it is back, the client has all 200, in order, once (SQLite and
 *   PostgreSQL).
 * - 17: a cursor the server can no longer serve. Pruned: rows after the client's cursor were deleted by a
 *   retention job; restored: the database went back to an older backup. Either way the client is told
 *   (`recovered:false`, or its cursor ahead of the server's seq), asks for a resync, and its list reloaded
 *   over HTTP is exactly the inbox.
 */
import { after, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { InboxStore } from '../../src/inbox/index.js';
import { startTestServer, type TestServer } from '../../src/testing/index.js';
import { freshPostgresInbox, postgresSkipReason } from '../support/services/postgres.js';
import { allOpen, deliveryProblems, startClient, type ClientRecord } from '../support/clients.js';
import { startTcpProxy, type TcpProxy } from '../support/proxy/tcp-proxy.js';
import { within } from '../support/time.js';
import { SUITE } from './helpers/suite.js';

const AWAY_MS = 5000;
const MISSED = 200;
/** A short backoff, so a test does not wait out a browser's 30 s cap. */
const BACKOFF = { baseMs: 250, maxMs: 2000 };

const dir = mkdtempSync(join(tmpdir(), 'tidings-replay-'));
const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
after(async () => {
  for (const c of cleanups.reverse()) await c();
}, SUITE);

async function serve(settings: Record<string, unknown> = {}, inbox?: InboxStore): Promise<TestServer> {
  const srv = await startTestServer({ settings, ...(inbox ? { inbox } : {}) });
  cleanups.push(() => srv.close());
  return srv;
}

async function proxyTo(srv: TestServer): Promise<TcpProxy> {
  const proxy = await startTcpProxy([Number(new URL(srv.url).port)]);
  cleanups.push(() => proxy.close());
  return proxy;
}

function clientVia(t: TestContext, proxy: TcpProxy, user: string): ClientRecord {
  const c = startClient(`ws://127.0.0.1:${proxy.port}/inform/`, user, BACKOFF);
  t.after(() => c.client.close());
  return c;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const pgSkip = await postgresSkipReason();
const backends = [
  { name: 'SQLite', skip: undefined, start: () => serve() },
  {
    name: 'PostgreSQL',
    skip: pgSkip,
    async start() {
      const db = await freshPostgresInbox();
      cleanups.push(() => db.drop());
      return serve({}, db.inbox);
    },
  },
];

for (const backend of backends) {
  describe(`case 16: replay after ${AWAY_MS / 1000} s away (${backend.name})`, { skip: backend.skip, ...SUITE }, () => {
    it(`${MISSED} published while the link is down: all of them, in order, once`, async (t) => {
      const srv = await backend.start();
      const proxy = await proxyTo(srv);
      const c = clientVia(t, proxy, 'away');
      await c.opened(5000);
      await srv.notify('away', { kind: 'before', data: {} });
      await c.seenSeq(1, 5000);

      proxy.down();
      const downAt = performance.now();
      for (let i = 0; i < MISSED; i++) {
        await srv.notify('away', { kind: 'missed', data: { i } });
        await new Promise((r) => setTimeout(r, (AWAY_MS * (i + 1)) / MISSED - (performance.now() - downAt)));
      }
      proxy.up();
      const backAt = performance.now();
      await c.seenSeq(1 + MISSED, 15_000);
      const completeMs = performance.now() - backAt;
      const reopenedMs = (c.openedAt.at(-1) as number) - backAt;

      assert.deepEqual(deliveryProblems(c, range(1, 1 + MISSED)), []);
      assert.deepEqual(c.seen.map((n) => n.seq), range(1, 1 + MISSED), 'each once, in order');
      assert.ok(c.seen.slice(1).every((n) => n.replayed), 'the missed ones came from the replay');
      assert.equal(c.client.unreadCount, 1 + MISSED);
      t.diagnostic(`figure: 16 ${backend.name}: away ${((backAt - downAt) / 1000).toFixed(1)} s, ${MISSED} missed -> ${MISSED} replayed, lost 0, duplicates 0; reconnected ${reopenedMs.toFixed(0)} ms after the link came back (client backoff), all ${MISSED} shown ${completeMs.toFixed(0)} ms after it`);
    });
  });
}

/** A server on a SQLite file of its own, behind a proxy. */
async function fileServer(name: string): Promise<{ srv: TestServer; proxy: TcpProxy; path: string }> {
  const path = join(dir, `${name}.db`);
  const srv = await serve({ databaseUrl: `sqlite:${path}` });
  return { srv, proxy: await proxyTo(srv), path };
}

/** The client's next `resync` request (within 10 s). */
function nextResync(c: ClientRecord): Promise<void> {
  return within(new Promise<void>((resolve) => c.client.on('resync', () => resolve())), 10_000, `${c.user} asks for a resync`);
}

/** The client's list reloaded over HTTP, as an app does on `resync`: seqs and unread count. */
async function reloaded(c: ClientRecord): Promise<{ seqs: number[]; unread: number }> {
  const page = await c.client.list({ limit: 100 });
  return { seqs: page.items.map((n) => n.seq), unread: page.unread };
}

describe('case 17: a cursor the server can no longer serve', SUITE, () => {
  it('pruned: rows after the cursor deleted by a retention job -> recovered:false, resync, the list is the inbox', async (t) => {
    const { srv, proxy, path } = await fileServer('pruned');
    const c = clientVia(t, proxy, 'pruned');
    await c.opened(5000);
    for (let i = 0; i < 20; i++) await srv.notify('pruned', { kind: 'k', data: { i } });
    await c.seenSeq(20, 5000);

    proxy.down();
    for (let i = 20; i < 50; i++) await srv.notify('pruned', { kind: 'k', data: { i } });
    // Retention: everything up to seq 35 is read, then deleted (as a job would, keeping the counters true).
    await srv.tidings.markAllRead('pruned');
    const db = new Database(path);
    const deleted = db.prepare("DELETE FROM inbox_notifications WHERE user_id = 'pruned' AND seq <= 35").run().changes;
    db.close();
    for (let i = 50; i < 55; i++) await srv.notify('pruned', { kind: 'k', data: { i } });
    const resync = nextResync(c);
    proxy.up();

    await resync;
    assert.deepEqual(c.resyncs, ['not-recovered'], 'the client was told it could not be replayed');
    const list = await reloaded(c);
    assert.deepEqual(list.seqs, range(36, 55).reverse(), 'the reloaded list is what the inbox holds');
    assert.equal(list.unread, 5);
    await srv.notify('pruned', { kind: 'k', data: { live: true } });
    await c.seenSeq(56, 5000);
    assert.equal(c.client.unreadCount, 6);
    t.diagnostic(`figure: 17 pruned: ${deleted} rows deleted (15 of them after the client's cursor) -> recovered:false, 1 resync, reloaded list = inbox (20 rows, 5 unread), live delivery resumes at seq 56`);
  });

  it('restored: the database went back to an older backup -> the client notices, resyncs, and continues from the restored seq', async (t) => {
    const { srv, proxy, path } = await fileServer('restored');
    const c = clientVia(t, proxy, 'restored');
    await c.opened(5000);
    for (let i = 0; i < 10; i++) await srv.notify('restored', { kind: 'k', data: { i } });
    const backup = join(dir, 'backup.db');
    const live = new Database(path);
    await live.backup(backup);
    live.close();
    for (let i = 10; i < 25; i++) await srv.notify('restored', { kind: 'k', data: { i } });
    await c.seenSeq(25, 5000);

    // The restore: stop, put the backup in place, start on it behind the same address.
    await srv.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    copyFileSync(backup, path);
    const restored = await serve({ databaseUrl: `sqlite:${path}` });
    proxy.setTargets([Number(new URL(restored.url).port)]);
    await nextResync(c);
    await allOpen([c], 5000);

    assert.equal(c.resyncs[0], 'history-reset', 'the client saw the server\'s seq go back');
    assert.ok(c.resyncs.every((r) => r === 'history-reset' || r === 'not-recovered'), c.resyncs.join());
    assert.deepEqual(await reloaded(c), { seqs: range(1, 10).reverse(), unread: 10 });
    const before = c.seen.length;
    await restored.notify('restored', { kind: 'k', data: { after: true } });
    await c.seenCount(before + 1, 5000);
    assert.equal(c.seen.at(-1)?.seq, 11, 'the next notification after the restore is shown');
    assert.equal(c.client.unreadCount, 11);
    t.diagnostic(`figure: 17 restored: client at seq 25, database restored to seq 10 -> resync (history-reset), reloaded list = inbox (10 rows), next notification (seq 11) shown; resyncs ${c.resyncs.join(', ')}; close codes seen ${JSON.stringify([...new Set(c.closeCodes)])}`);
  });
});
