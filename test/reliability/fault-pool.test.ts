/**
 * Case 23, case 26 and the pool faults of issue 8's closing paragraph, on three `tidings serve` processes
 * sharing the shared Redis (a key prefix of their own) and a PostgreSQL database of their own, behind a TCP
 * load balancer (round-robin, skips a backend that refuses):
 * - 23: a user's tabs on all three processes, three processes publishing at once: every tab sees one
 *   per-user sequence, each seq once, in order.
 * - kill -9 of one process while publishing: its clients (the real client, src/client) reconnect to the
 *   others and lose nothing that was acknowledged; held against the database rows: every acknowledged seq
 *   is stored, the stored seqs have no gap or repeat and the unread counter equals the unread rows, and each
 *   client emitted exactly the stored seqs up to the last it saw (nothing that was not stored, nothing
 *   stored that it skipped, including notifications the killed process stored but never answered for).
 * - 26: a rolling deploy: a process taken out of the balancer and sent SIGTERM while publishing: its
 *   clients get 4001, it exits 0, and nothing acknowledged is lost.
 * - every process restarted at once: the clients come back spread over time (the client's full-jitter
 *   backoff, whose first window after a 4001 is 4x its base), not in one spike, and what was published while
 *   they were away is replayed.
 * The clients run with the browser client's default backoff base (1 s).
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { redisSkipReason } from '../support/services/redis.js';
import { apiCall } from '../support/tidings.js';
import { postgresSkipReason } from '../support/services/postgres.js';
import { framesUntil } from '../support/frames.js';
import { TestSocket } from '../../src/testing/index.js';
import { allOpen, deliveryProblems, startClient, type ClientRecord } from '../support/clients.js';
import { startPool, type Pool } from '../support/pool.js';
import { storedSeqs, storedUser } from './faults/inbox-db.js';
import { waitUntil } from '../support/time.js';
import { PublishLoop, publishOnce, quantile, statusCounts } from './faults/publishing.js';
import { tokenFor, type ServerProcess } from '../support/tidings.js';
import { startTcpProxy, type TcpProxy } from '../support/proxy/tcp-proxy.js';
import { SUITE } from './helpers/suite.js';

const skip = (await redisSkipReason()) ?? (await postgresSkipReason());
const USERS = Array.from({ length: 30 }, (_, i) => `pool-${i}`);
const TABS_PER_USER = 3;

let pool: Pool;
let lb: TcpProxy;
let clients: ClientRecord[] = [];
/** Acknowledged seqs per user, over every test. */
const acked = new Map<string, Set<number>>(USERS.map((u) => [u, new Set()]));

before(async () => {
  if (skip) return;
  pool = await startPool({ size: 3, redis: 'shared', database: 'postgres', args: ['--shutdown-timeout', '5'] });
  lb = await startTcpProxy(pool.procs.map((p) => p.port));
}, SUITE);
after(async () => {
  for (const c of clients) c.client.close();
  await lb?.close();
  await pool?.close();
}, SUITE);

const lbUrl = () => `http://127.0.0.1:${lb.port}`;

function publisher(t: TestContext): PublishLoop {
  const loop = new PublishLoop({ base: lbUrl, users: USERS, lanes: 4, pauseMs: 10 });
  t.after(() => loop.stop());
  return loop;
}

function record(loop: PublishLoop): void {
  for (const r of loop.acked) acked.get(r.user)!.add(r.seq as number);
}

/** Every client has every acknowledged notification of its user, once, in order. */
async function expectExact(timeoutMs: number): Promise<void> {
  await Promise.all(clients.map((c) => c.seenSeq(Math.max(0, ...acked.get(c.user)!), timeoutMs).catch(() => undefined)));
  assert.deepEqual(clients.flatMap((c) => deliveryProblems(c, acked.get(c.user)!)), []);
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

describe('a pool of three processes behind a load balancer', { skip, ...SUITE }, () => {
  it('23: tabs on all three processes, three processes publishing at once: one per-user sequence, no duplicate', async (t) => {
    const users = ['seq-a', 'seq-b', 'seq-c'];
    const tabs = await Promise.all(
      users.flatMap((u) => pool.procs.map(async (p) => ({ user: u, tab: await TestSocket.open(`${p.url.replace(/^http/, 'ws')}/inform/?token=${await tokenFor(u)}`) }))),
    );
    t.after(() => tabs.forEach(({ tab }) => tab.close()));
    for (const { tab } of tabs) assert.equal((await tab.nextFrame()).type, 'hello');
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => publishOnce(pool.procs[i % 3]!.url, users[i % users.length]!, { i })));
    assert.deepEqual(results.filter((r) => r.status !== 201), []);
    const markers = await Promise.all(users.map((u) => publishOnce(pool.procs[0]!.url, u, { marker: true })));
    let frames = 0;
    for (const { user, tab } of tabs) {
      const last = markers[users.indexOf(user)]!.seq as number;
      const seqs = (await framesUntil(tab, (f) => f.seq === last, 10_000)).filter((f) => f.type === 'notification').map((f) => f.seq);
      frames += seqs.length;
      assert.deepEqual(seqs, Array.from({ length: last }, (_, i) => i + 1), `${user}: every seq once, in order`);
    }
    t.diagnostic(`figure: 23: 3 processes publishing 300 notifications at once to 3 users with a tab on each process: ${frames} frames on 9 tabs, duplicates 0, gaps 0, out of order 0`);
  });

  it('kill -9 of one process while publishing: its clients reconnect to the others, nothing acknowledged lost', async (t) => {
    clients = USERS.flatMap((u) => Array.from({ length: TABS_PER_USER }, () => startClient(`ws://127.0.0.1:${lb.port}/inform/`, u)));
    await allOpen(clients, 15_000);
    const loop = publisher(t);
    await loop.ackedAtLeast(100);
    const victim = pool.procs[0]!;
    const onVictim = await connectionsOf(victim);
    const codesBefore = clients.map((c) => c.closeCodes.length);
    const killedAt = performance.now();
    await victim.stop('SIGKILL');
    // The balancer drops each connection the dead process had; its clients see their sockets cut and
    // reconnect through the balancer, which skips the dead backend.
    await waitUntil(() => lb.openTo(victim.port) === 0, 10_000, 'connections to the killed process gone');
    const cut = await closedSince(codesBefore, onVictim);
    await allOpen(clients, 15_000);
    const reopenMs = cut.map((c) => (c.openedAt.at(-1) as number) - killedAt);
    await loop.ackedAtLeast(loop.acked.length + 50);
    const records = await loop.stop();
    record(loop);
    await expectExact(10_000);
    await expectStored();
    t.diagnostic(
      `figure: kill -9: ${cut.length} of ${clients.length} clients were on the killed process; reconnected to the others after p50 ${secs(quantile(reopenMs, 0.5))}, max ${secs(quantile(reopenMs, 1))}; ` +
        `publishes ${JSON.stringify(statusCounts(records))} (0 = request cut by the crash); acknowledged ${loop.acked.length}, lost 0, duplicates 0`,
    );
    assert.ok(onVictim >= clients.length / 6, `${onVictim} clients were on the killed process`);
    assert.equal(cut.length, onVictim, 'exactly the clients of the killed process lost their socket');
    assert.ok(reopenMs.every((ms) => ms > 0), 'each of them opened again after the kill');
  });

  it('26: rolling deploy, SIGTERM while publishing: its clients get 4001, it exits 0, nothing acknowledged lost', async (t) => {
    await wholePool();
    const loop = publisher(t);
    await loop.ackedAtLeast(loop.acked.length + 100);
    const victim = pool.procs[1]!;
    lb.setTargets(pool.procs.filter((p) => p !== victim).map((p) => p.port)); // out of the balancer first
    const onVictim = await connectionsOf(victim);
    const codesBefore = clients.map((c) => c.closeCodes.length);
    const signalled = performance.now();
    const exit = await victim.stop('SIGTERM');
    const exitMs = performance.now() - signalled;
    await closedSince(codesBefore, onVictim);
    const drained = clients.filter((c, i) => c.closeCodes.slice(codesBefore[i]).includes(4001));
    await allOpen(clients, 15_000);
    await loop.ackedAtLeast(loop.acked.length + 50);
    const records = await loop.stop();
    record(loop);
    await expectExact(10_000);
    const otherCodes = clients.flatMap((c, i) => c.closeCodes.slice(codesBefore[i])).filter((code) => code !== 4001);
    t.diagnostic(`figure: 26: SIGTERM -> exit ${exit.code} after ${secs(exitMs)}; ${drained.length} clients got 4001 and reconnected to the others; publishes ${JSON.stringify(statusCounts(records))}; acknowledged ${records.filter((r) => r.status === 201).length}, lost 0, duplicates 0`);
    assert.equal(exit.code, 0);
    assert.ok(onVictim > 0, 'the drained process had clients');
    assert.equal(drained.length, onVictim, 'each of its clients got 4001');
    assert.deepEqual(otherCodes, [], 'every socket of the drained process closed with 4001');
  });

  it('every process restarted at once: the clients come back spread over time, and get what was published meanwhile', async (t) => {
    await wholePool();
    const opensBefore = clients.map((c) => c.openedAt.length);
    await Promise.all(pool.procs.map((p) => p.stop('SIGTERM')));
    const restarted = await Promise.all(pool.procs.map((_, i) => pool.restart(i)));
    const forwardedBefore = lb.forwardedAt.length;
    lb.setTargets(restarted.map((p) => p.port));
    const upAt = performance.now();
    // Published while the clients are still away: they must get them by replay.
    const meanwhile = await Promise.all(USERS.map((u) => publishOnce(restarted[0]!.url, u, { meanwhile: true })));
    for (const r of meanwhile) {
      assert.equal(r.status, 201);
      acked.get(r.user)!.add(r.seq as number);
    }
    await waitReopened(clients, opensBefore, 30_000);
    await expectExact(10_000);
    // When each client's new connection reached a live process through the balancer (the client's own timing,
    // not the server's handshake work).
    const back = lb.forwardedAt.slice(forwardedBefore).map((at) => at - upAt).sort((a, b) => a - b);
    assert.equal(back.length, clients.length, 'one new connection per client');
    const busiest = busiestWindow(back, 250);
    const spreadMs = quantile(back, 0.9) - quantile(back, 0.1);
    t.diagnostic(
      `figure: restart all: ${clients.length} clients back between ${secs(Math.max(0, back[0]!))} and ${secs(back.at(-1)!)} after the processes were up (10-90 % spread ${secs(spreadMs)}); ` +
        `busiest 250 ms window: ${busiest} clients (${((busiest / clients.length) * 100).toFixed(0)} %); ${meanwhile.length} notifications published meanwhile, lost 0`,
    );
    assert.ok(busiest <= clients.length * 0.3, `${busiest} of ${clients.length} reconnections within one 250 ms window`);
    assert.ok(spreadMs >= 1000, `reconnections spread over ${spreadMs.toFixed(0)} ms only`);
  });
});

/** The database rows against what was acknowledged and what every client emitted (see the module comment). */
async function expectStored(): Promise<void> {
  const problems: string[] = [];
  for (const user of USERS) {
    const stored = await storedUser(pool.databaseUrl, user);
    const seqs = await storedSeqs(pool.databaseUrl, user);
    if (stored.seqProblems !== 0 || stored.duplicateKeys !== 0) problems.push(`${user}: stored seqs ${seqs.join(',')}, ${stored.duplicateKeys} duplicate keys`);
    if (stored.unreadCounter !== stored.unreadRows) problems.push(`${user}: unread counter ${stored.unreadCounter}, unread rows ${stored.unreadRows}`);
    const lost = [...acked.get(user)!].filter((s) => !seqs.includes(s));
    if (lost.length > 0) problems.push(`${user}: acknowledged seqs not stored: ${lost.join(',')}`);
    for (const c of clients.filter((c) => c.user === user)) {
      const last = c.seen.at(-1)?.seq ?? 0;
      const seen = c.seen.map((n) => n.seq).join(',');
      const want = seqs.filter((s) => s <= last).join(',');
      if (seen !== want) problems.push(`${user}: a client emitted ${seen}; stored up to ${last}: ${want}`);
    }
  }
  assert.deepEqual(problems, []);
}

/** Open WebSocket connections of process `p` (its `/v1/stats`, asked directly, not through the balancer). */
async function connectionsOf(p: ServerProcess): Promise<number> {
  const stats = await apiCall(p.url, '/v1/stats');
  assert.equal(stats.status, 200);
  return stats.body.connections as number;
}

/**
 * Wait until `count` clients have seen a socket close since `before` (their close counts then): a socket
 * cut by the balancer is noticed by its client a little later, on a loaded machine many turns later.
 */
async function closedSince(before: readonly number[], count: number): Promise<ClientRecord[]> {
  const closed = () => clients.filter((c, i) => c.closeCodes.length > before[i]!);
  await waitUntil(() => closed().length >= count, 10_000, `${count} clients saw their socket closed`);
  return closed();
}

/** Restart any process that is not running (the one an earlier test stopped) and balance over all three. */
async function wholePool(): Promise<void> {
  for (const [i, p] of pool.procs.entries()) if (!p.alive()) await pool.restart(i);
  lb.setTargets(pool.procs.map((p) => p.port));
  await allOpen(clients, 15_000);
}

/** Wait until every client has opened once more than `before` counted. */
async function waitReopened(all: readonly ClientRecord[], before: readonly number[], timeoutMs: number): Promise<void> {
  await Promise.all(
    all.map((c, i) => {
      if (c.openedAt.length > before[i]!) return undefined;
      return c.opened(timeoutMs);
    }),
  );
}

/** The most values of the sorted `times` that fall within one window of `ms`. */
function busiestWindow(times: readonly number[], ms: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) > ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
