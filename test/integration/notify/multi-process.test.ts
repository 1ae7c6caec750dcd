/**
 * Several processes on the real Redis (TIDINGS_TEST_REDIS_URL, a key prefix of its own) sharing one
 * PostgreSQL database (of its own): two `tidings serve` processes and a third that only publishes. alice's
 * tabs on both servers see each notification exactly once, in one per-user sequence, with the exact unread
 * count; a broadcast reaches both servers' clients once. Also the start-up errors of `tidings serve`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { type Frame } from '../../../src/testing/index.js';
import { REDIS_URL, redisSkipReason } from '../../support/services/redis.js';
import { freePort } from '../../support/ports.js';
import { apiCall, bundle, testEnv, runCli, type ServerProcess } from '../../support/tidings.js';
import { twoProcesses } from '../../support/process-pair.js';
import { framesUntil, shownCount } from '../../support/frames.js';
import { postgresSkipReason, uniqueName } from '../../support/services/postgres.js';
import { runToEnd } from '../../support/process.js';

const skip = (await redisSkipReason()) ?? (await postgresSkipReason());
const PUBLISHER = fileURLToPath(new URL('./fixtures/publisher.ts', import.meta.url));

let publisher: Promise<string> | undefined;

/** Run the publish-only process (bundled, so it starts fast) with `plan`; resolves with the seqs it stored. */
async function runPublisher(plan: unknown, env: Record<string, string>): Promise<number[]> {
  publisher ??= bundle(PUBLISHER, 'publisher.mjs');
  const run = await runToEnd({ args: [await publisher, JSON.stringify(plan)], env: testEnv(env), timeoutMs: 20_000 });
  if (run.code !== 0) throw new Error(`publisher exited ${run.code}:\n${run.stderr}`);
  return (JSON.parse(run.stdout) as { seqs: number[] }).seqs;
}

// The start-up error checks run next to the multi-process story (they only wait on child processes).
describe('several tidings processes', { concurrency: true }, () => {
// One test at a time inside: they share the servers, and their broadcasts reach every socket.
describe('two server processes and a publisher on Redis + PostgreSQL', { skip, concurrency: 1 }, () => {
  const prefix = uniqueName('t-notify').replace(/_/g, '-');
  let db: { url: string; drop(): Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  const connect = twoProcesses(prefix, (url) => ['--redis-url', REDIS_URL, '--layer-prefix', prefix, '--database-url', url], (pair) => void ({ a, b, db } = pair));

  it("alice's tabs on both servers see every notification once, in one sequence; bob sees none", async () => {
    const [tabA, tabB, bob] = await Promise.all([connect(a, 'alice'), connect(b, 'alice'), connect(b, 'bob')]);
    const env = { PUBLISHER_REDIS_URL: REDIS_URL, PUBLISHER_LAYER_PREFIX: prefix, PUBLISHER_DATABASE_URL: db.url };
    const plan = { notify: Array.from({ length: 20 }, (_, i) => ({ to: 'alice', kind: 'reply', data: { via: 'publisher', i } })) };
    // The three processes publish to alice at the same time.
    const [fromPublisher, fromA, fromB] = await Promise.all([
      runPublisher(plan, env),
      Promise.all(Array.from({ length: 20 }, (_, i) => apiCall(a.url, '/v1/notifications', { to: 'alice', kind: 'reply', data: { via: 'a', i } }))),
      Promise.all(Array.from({ length: 20 }, (_, i) => apiCall(b.url, '/v1/notifications', { to: 'alice', kind: 'reply', data: { via: 'b', i } }))),
    ]);
    const seqs = [...fromPublisher, ...fromA.map((r) => r.body.seq as number), ...fromB.map((r) => r.body.seq as number)];
    assert.deepEqual([...seqs].sort((x, y) => x - y), Array.from({ length: 60 }, (_, i) => i + 1), 'one per-user sequence, no gap');

    const marker = await apiCall(a.url, '/v1/notifications', { to: 'alice', kind: 'marker', data: {} });
    assert.equal(marker.body.seq, 61);
    for (const tab of [tabA, tabB]) {
      const frames = await framesUntil(tab, (f) => f.kind === 'marker', 10_000);
      assert.deepEqual(frames.filter((f) => f.type === 'notification').map((f) => f.seq), Array.from({ length: 61 }, (_, i) => i + 1));
      assert.equal(shownCount(frames, 0), 61);
    }
    const count = await apiCall(b.url, '/v1/users/alice/unread-count');
    assert.deepEqual(count.body, { unread: 61, seq: 61 });
    await apiCall(b.url, '/v1/notifications', { to: 'bob', kind: 'marker', data: {} });
    assert.deepEqual((await framesUntil(bob, (f) => f.kind === 'marker')).map((f) => f.seq), [1]);
  });

  it('a burst of 300 from the publisher over Redis, past the channel capacity, reaches the tabs on both servers whole', async () => {
    const [tabA, tabB] = await Promise.all([connect(a, 'erin'), connect(b, 'erin')]);
    const env = { PUBLISHER_REDIS_URL: REDIS_URL, PUBLISHER_LAYER_PREFIX: prefix, PUBLISHER_DATABASE_URL: db.url };
    const seqs = await runPublisher({ notify: Array.from({ length: 300 }, (_, i) => ({ to: 'erin', kind: 'reply', data: { i } })) }, env);
    assert.equal(seqs.length, 300);
    for (const tab of [tabA, tabB]) {
      const frames = await framesUntil(tab, (f) => f.type === 'notification' && f.seq === 300, 10_000);
      assert.deepEqual(frames.filter((f) => f.type === 'notification').map((f) => f.seq), Array.from({ length: 300 }, (_, i) => i + 1));
      assert.equal(shownCount(frames, 0), 300);
    }
  });

  it('a read on one server answers the count on the tab on the other server', async () => {
    const [tabA, tabB] = await Promise.all([connect(a, 'carol'), connect(b, 'carol')]);
    const r1 = await apiCall(b.url, '/v1/notifications', { to: 'carol', kind: 'reply', data: {} });
    await apiCall(b.url, '/v1/notifications', { to: 'carol', kind: 'reply', data: {} });
    for (const tab of [tabA, tabB]) assert.deepEqual((await framesUntil(tab, (f) => f.seq === 2)).map((f) => f.unread), [1, 2]);
    tabA.send({ type: 'read', ids: [r1.body.id] });
    for (const tab of [tabA, tabB]) assert.deepEqual(await tab.nextFrame(), { type: 'unread', count: 1 });
  });

  it('a broadcast from the publisher reaches clients on both servers once', async () => {
    const [alice, bob, anonymousPeer] = await Promise.all([connect(a, 'dave'), connect(b, 'erin'), connect(b, 'frank')]);
    const env = { PUBLISHER_REDIS_URL: REDIS_URL, PUBLISHER_LAYER_PREFIX: prefix, PUBLISHER_DATABASE_URL: db.url };
    await runPublisher({ broadcast: [{ kind: 'announcement', data: { text: 'hello everyone' } }] }, env);
    const done = await apiCall(a.url, '/v1/broadcasts', { kind: 'marker', data: {} });
    assert.equal(done.status, 202);
    for (const s of [alice, bob, anonymousPeer]) {
      const frames: Frame[] = await framesUntil(s, (f) => f.kind === 'marker', 10_000);
      assert.deepEqual(frames.map((f) => f.kind), ['announcement', 'marker']);
    }
  });
});

describe('tidings serve: start-up errors', { concurrency: true }, () => {
  it('--workers 2 without a Redis URL exits non-zero naming the problem', async () => {
    const r = await runCli(['serve', '--workers', '2', '--port', '0', '--database-url', 'sqlite::memory:']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--workers 2 needs a Redis URL/);
  });

  it('an unreachable --redis-url exits non-zero within 10 s, naming the URL with its password redacted', async () => {
    const port = await freePort();
    const url = `redis://app:hunter2@127.0.0.1:${port}/0`;
    const r = await runCli(['serve', '--port', '0', '--log-level', 'debug', '--database-url', 'sqlite::memory:', '--redis-url', url]);
    assert.equal(r.code, 1, `exited by itself with 1 (${r.stderr})`);
    // Counted from its first log line (at debug level: its first connection attempt), not from process start:
    // loading the program takes seconds on a busy machine and says nothing about how fast it gives up.
    const first = JSON.parse(r.stdout.split('\n')[0] ?? '{}') as { time?: number };
    assert.equal(typeof first.time, 'number', `a debug log line first: ${r.stdout.slice(0, 200)}`);
    assert.ok(r.endedAt - first.time! < 10_000, `gave up ${r.endedAt - first.time!} ms after its first attempt`);
    assert.match(r.stderr, new RegExp(`redis://app:\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(r.stderr + r.stdout, /hunter2/);
  });
});
});
