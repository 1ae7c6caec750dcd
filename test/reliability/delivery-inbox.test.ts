/**
 * Case 15: inbox consistency under concurrency, on SQLite (one file shared by two processes) and
 * PostgreSQL (one database shared by two processes), the processes joined by the shared Redis (a key
 * prefix of their own). A user has a tab on each process. Each round, at the same time: 45 publishes
 * through both processes (10 dedupe keys sent 3 times each, one of them through the other process, and 15
 * without a key), and both tabs marking random notifications read (`read` frames), one of them also
 * `read_all`. After each round the rows themselves are counted in the database: the unread counter, the
 * API's count on both processes and the last count each tab was shown all equal the unread rows, seqs are
 * 1..n without a gap, and each dedupe key is stored once.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { redisSkipReason } from '../support/services/redis.js';
import { apiCall } from '../support/tidings.js';
import { framesUntil, shownCount } from '../support/frames.js';
import { postgresSkipReason } from '../support/services/postgres.js';
import { TestSocket } from '../../src/testing/index.js';
import { storedUser } from './faults/inbox-db.js';
import { startPool, type Pool } from '../support/pool.js';
import { publishOnce } from './faults/publishing.js';
import { tokenFor } from '../support/tidings.js';
import { SUITE } from './helpers/suite.js';

const ROUNDS = 6;
const KEYS = 10;
const COPIES = 3;
const UNKEYED = 15;

const redisSkip = await redisSkipReason();
const backends = [
  { name: 'SQLite', database: 'sqlite' as const, skip: redisSkip },
  { name: 'PostgreSQL', database: 'postgres' as const, skip: redisSkip ?? (await postgresSkipReason()) },
];

const pools: Pool[] = [];
after(async () => {
  for (const p of pools) await p.close();
}, SUITE);

/** A seeded PRNG, so that a failing round can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function openTab(url: string, user: string): Promise<TestSocket> {
  const tab = await TestSocket.open(`${url.replace(/^http/, 'ws')}/inform/?token=${await tokenFor(user)}`);
  assert.equal((await tab.nextFrame()).type, 'hello');
  return tab;
}

/** Wait until the tab's earlier frames were handled (frames of one connection are handled in order). */
async function settled(tab: TestSocket): Promise<void> {
  tab.send({ type: 'ping' });
  await tab.nextOfType('pong', 10_000);
}

for (const backend of backends) {
  describe(`case 15: inbox consistency, two processes on ${backend.name}`, { skip: backend.skip, ...SUITE }, () => {
    it(`${ROUNDS} rounds of concurrent publishes with duplicate keys and mark-read from two tabs: counts always equal the rows`, async (t) => {
      const pool = await startPool({ size: 2, redis: 'shared', database: backend.database });
      pools.push(pool);
      const [a, b] = pool.procs as [Pool['procs'][0], Pool['procs'][0]];
      const user = `consistency-${randomBytes(4).toString('hex')}`;
      const tabs = [await openTab(a.url, user), await openTab(b.url, user)] as const;
      const shown = [0, 0];
      const ids: string[] = [];
      const rand = random(15 + ROUNDS);
      let created = 0;
      let deduped = 0;
      let reads = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const publishes = [
          ...Array.from({ length: KEYS * COPIES }, (_, i) => publishOnce([a, b][i % 2]!.url, user, { round, i }, `r${round}-k${i % KEYS}`)),
          ...Array.from({ length: UNKEYED }, (_, i) => publishOnce([b, a][i % 2]!.url, user, { round, unkeyed: i })),
        ];
        // Both tabs mark read while the publishes run: ids seen so far, a few at a time.
        for (let i = 0; i < 10 && ids.length > 0; i++) {
          for (const tab of tabs) tab.send({ type: 'read', ids: Array.from({ length: 1 + Math.floor(rand() * 5) }, () => ids[Math.floor(rand() * ids.length)] as string) });
          reads += 2;
          if (i === Math.floor(rand() * 10)) tabs[1].send({ type: 'read_all' });
          await new Promise((r) => setImmediate(r));
        }
        const results = await Promise.all(publishes);
        assert.deepEqual(results.filter((r) => r.status !== 201).map((r) => r.status), [], 'every publish stored');
        const fresh = [...new Set(results.map((r) => r.id as string))].filter((id) => !ids.includes(id));
        ids.push(...fresh);
        created += fresh.length;
        deduped += results.length - fresh.length;
        await Promise.all(tabs.map(settled));

        // A marker committed after everything else: what each tab shows once it arrives is its final count.
        await apiCall(a.url, '/v1/notifications', { to: user, kind: 'marker', data: { round } });
        created++;
        for (const [i, tab] of tabs.entries()) {
          const frames = await framesUntil(tab, (f) => f.kind === 'marker' && (f.data as { round: number }).round === round, 10_000);
          shown[i] = shownCount(frames, shown[i]!);
        }
        const stored = await storedUser(pool.databaseUrl, user);
        const apiCounts = await Promise.all([a, b].map(async (p) => (await apiCall(p.url, `/v1/users/${user}/unread-count`)).body));
        const context = `round ${round}`;
        assert.equal(stored.rows, created, `${context}: rows`);
        assert.equal(stored.duplicateKeys, 0, `${context}: each dedupe key stored once`);
        assert.equal(stored.seqProblems, 0, `${context}: seqs 1..n without gap or repeat`);
        assert.equal(stored.unreadCounter, stored.unreadRows, `${context}: unread counter = unread rows`);
        for (const c of apiCounts) assert.deepEqual(c, { unread: stored.unreadRows, seq: stored.rows }, `${context}: API count`);
        assert.deepEqual(shown, [stored.unreadRows, stored.unreadRows], `${context}: each tab shows the unread rows`);
      }
      t.diagnostic(`figure: 15 ${backend.name}: ${ROUNDS} rounds, ${created} stored, ${deduped} duplicate publishes deduplicated, ${reads} read frames from 2 tabs on 2 processes; count mismatches 0, duplicate keys 0`);
      for (const tab of tabs) tab.close();
    });
  });
}
