/**
 * Case 10: a user never receives another user's notifications, whatever name, case, Unicode or path trick
 * the client tries. Two `tidings serve` processes joined by the shared Redis (a key prefix of their own) and
 * a PostgreSQL database of their own, and user ids that a careless mapping would merge: case, Unicode
 * look-alikes and normal forms, invisible characters, paths, Redis glob characters, group-name prefixes.
 * - Each id has a tab on each process, opened with query parameters naming another user or group; two
 *   notifications per id are published through alternate processes: each tab gets exactly its own id's,
 *   seq 1 and 2, and nothing else; a `resume` from 0 sends nothing more, and a new socket with `?since=0`
 *   replays its own two.
 * - Over HTTP with the id's token (and a `?user=` naming another): `/v1/me/notifications` and `/v1/me/poll`
 *   list only its own.
 * - Marking read with every other id's notification ids (`read` frame, `POST /v1/me/read`) changes no count.
 * - The `/inform/` path written with tricks is refused, or authenticates the token's user and no other.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redisSkipReason } from '../support/services/redis.js';
import { apiCall } from '../support/tidings.js';
import { framesUntil } from '../support/frames.js';
import { postgresSkipReason } from '../support/services/postgres.js';
import { TestSocket, type Frame } from '../../src/testing/index.js';
import { startPool, type Pool } from '../support/pool.js';
import { publishOnce } from './faults/publishing.js';
import { tokenFor } from '../support/tidings.js';
import { RawSocket } from '../support/wire/raw-socket.js';
import { SUITE } from './helpers/suite.js';

const skip = (await redisSkipReason()) ?? (await postgresSkipReason());

/** Distinct ids, each a different user, that lower-casing, Unicode folding or normalisation, trimming, path
 * normalising, percent-decoding or glob matching would confuse with `alice` or with one another. */
const IDS = [
  'alice', 'Alice', 'ALICE', '\u0430lice' /* Cyrillic a */, '\uff41lice' /* fullwidth a */, 'alice\u200b', 'alice ', ' alice',
  '../alice', 'x/../alice', 'alice/', '%61lice', 'tidings.u.alice', 'u.alice', 'alice*', 'al?ce', '*',
  '\u00e9' /* é, NFC */, 'e\u0301' /* é, NFD */, '\ufb01' /* ﬁ ligature */, 'fi', '\u212a' /* Kelvin sign */, 'K',
];
/** Query parameters a client adds to its socket URL, hoping to be someone else. */
const QUERY_TRICKS = ['', '&user=alice&user_id=alice&sub=alice', '&group=tidings.u.alice&groups=tidings.site', '&since=0&user=*&id=ALICE'];
/** Request targets for alice's socket that a lax router or a path-normalising proxy might treat differently. */
const PATH_TRICKS = ['/inform/../inform/', '/inform/%2e%2e/inform/', '//inform/', '/INFORM/', '/inform/ALICE/', '/inform/alice/', '/inform;user=bob/', '/inform/?'];

let pool: Pool;
const tokens = new Map<string, string>();
const tabs: Array<{ id: string; proc: number; tab: TestSocket; frames: Frame[] }> = [];
/** Notification ids per user id, as published. */
const published = new Map<string, string[]>();

before(async () => {
  if (skip) return;
  pool = await startPool({ size: 2, redis: 'shared', database: 'postgres' });
  for (const id of IDS) tokens.set(id, await tokenFor(id));
}, SUITE);
after(async () => {
  for (const { tab } of tabs) tab.close();
  await pool?.close();
}, SUITE);

const inform = (proc: number) => `${pool.procs[proc]!.url.replace(/^http/, 'ws')}/inform/`;
const bearer = (id: string) => ({ authorization: `Bearer ${tokens.get(id)}` });
const dataTo = (frames: readonly Frame[]) => frames.filter((f) => f.type === 'notification').map((f) => (f.data as { to: string }).to);

describe('case 10: authorization across two processes', { skip, ...SUITE }, () => {
  it(`${IDS.length} look-alike ids, a tab each on both processes: every tab gets its own notifications and nothing else`, async (t) => {
    for (const [i, id] of IDS.entries()) {
      for (const proc of [0, 1]) {
        const trick = QUERY_TRICKS[(i + proc) % QUERY_TRICKS.length];
        const tab = await TestSocket.open(`${inform(proc)}?token=${encodeURIComponent(tokens.get(id)!)}${trick}`);
        const hello = await tab.nextFrame();
        assert.equal(hello.user, id, `hello names the token's user (${JSON.stringify(id)})`);
        tabs.push({ id, proc, tab, frames: [] });
      }
    }
    for (const round of [1, 2]) {
      const results = await Promise.all(IDS.map((id, i) => publishOnce(pool.procs[(i + round) % 2]!.url, id, { to: id, round })));
      for (const r of results) {
        assert.equal(r.status, 201, `publish to ${JSON.stringify(r.user)}`);
        assert.equal(r.seq, round, `${JSON.stringify(r.user)} has a sequence of its own`);
        published.set(r.user, [...(published.get(r.user) ?? []), r.id!]);
      }
    }
    for (const entry of tabs) {
      entry.frames = await framesUntil(entry.tab, (f) => f.type === 'notification' && f.seq === 2, 10_000);
      assert.deepEqual(dataTo(entry.frames), [entry.id, entry.id], `tab of ${JSON.stringify(entry.id)} on process ${entry.proc}`);
    }
    // `resume` from 0 on every tab: nothing it has not had, and the cursor is its own user's (seq 2).
    for (const { id, tab } of tabs) {
      tab.send({ type: 'resume', since: 0 });
      const frames = await framesUntil(tab, (f) => f.type === 'resumed', 10_000);
      assert.deepEqual(dataTo(frames), [], `resume of ${JSON.stringify(id)}`);
      assert.equal(frames.at(-1)!.seq, 2, `resume of ${JSON.stringify(id)}: its own seq`);
    }
    // A new socket per id with ?since=0 (and a ?user= naming another) replays its own two, nothing else.
    let replayed = 0;
    for (const [i, id] of IDS.entries()) {
      const fresh = await TestSocket.open(`${inform(i % 2)}?since=0&user=alice&token=${encodeURIComponent(tokens.get(id)!)}`);
      const frames = await framesUntil(fresh, (f) => f.type === 'resumed', 10_000);
      fresh.close();
      assert.deepEqual(dataTo(frames), [id, id], `replay of ${JSON.stringify(id)}`);
      replayed += 2;
    }
    const received = tabs.reduce((n, e) => n + dataTo(e.frames).length, 0);
    t.diagnostic(`figure: 10 sockets: ${IDS.length} look-alike ids x 2 processes (Redis between them), ${QUERY_TRICKS.length} query tricks: ${received} notifications received live, ${replayed} replayed, foreign 0`);
  });

  it('over HTTP, with the id\'s token and a ?user= naming another: only its own notifications are listed', async (t) => {
    let listed = 0;
    for (const [i, id] of IDS.entries()) {
      const base = pool.procs[i % 2]!.url;
      const list = await apiCall(base, '/v1/me/notifications?user=alice&userId=alice', undefined, bearer(id));
      assert.equal(list.status, 200);
      const items = list.body.items as Array<{ id: string; data: { to: string } }>;
      assert.deepEqual(items.map((n) => n.data.to), [id, id], `list of ${JSON.stringify(id)}`);
      assert.deepEqual(items.map((n) => n.id).sort(), [...published.get(id)!].sort());
      const poll = await apiCall(base, '/v1/me/poll?since=0&wait=0&user=*', undefined, bearer(id));
      assert.deepEqual((poll.body.items as Array<{ data: { to: string } }>).map((n) => n.data.to), [id, id], `poll of ${JSON.stringify(id)}`);
      listed += items.length;
    }
    t.diagnostic(`figure: 10 HTTP: ${IDS.length} ids listed and polled with a ?user= naming another: ${listed} items, foreign 0`);
  });

  it("marking other users' notifications read, by frame or over HTTP, changes no one's count", async (t) => {
    const others = (id: string) => [...published.entries()].filter(([k]) => k !== id).flatMap(([, ids]) => ids);
    for (const [i, { id, tab }] of tabs.entries()) {
      if (i % 2 === 0) tab.send({ type: 'read', ids: others(id) });
      else assert.deepEqual(await apiCall(pool.procs[i % 2]!.url, '/v1/me/read', { ids: others(id) }, bearer(id)), { status: 200, body: { unread: 2 } });
    }
    // A ping answered after the reads: each tab's reads were handled (frames are processed in order).
    for (const { tab } of tabs) {
      tab.send({ type: 'ping' });
      await framesUntil(tab, (f) => f.type === 'pong', 10_000);
    }
    for (const id of IDS) {
      const count = await apiCall(pool.procs[0]!.url, `/v1/users/${encodeURIComponent(id)}/unread-count`);
      assert.deepEqual(count, { status: 200, body: { unread: 2, seq: 2 } }, `counts of ${JSON.stringify(id)}`);
    }
    t.diagnostic(`figure: 10 reads: ${tabs.length} attempts to mark ${others('alice').length} foreign notifications read -> every count still 2`);
  });

  it("alice's socket on tricked paths: refused, or alice and only alice", async (t) => {
    const outcomes: string[] = [];
    for (const target of PATH_TRICKS) {
      const url = inform(0);
      const query = `${target.includes('?') ? '&' : '?'}token=${tokens.get('alice')}`;
      try {
        const socket = await RawSocket.open(url, { target: `${target}${query}` });
        const hello = await socket.nextJson(5000);
        socket.destroy();
        assert.equal(hello.user, 'alice', `${target}: hello as the token's user`);
        outcomes.push(`${target} -> 101 alice`);
      } catch (err) {
        const status = (err as { status?: number }).status;
        assert.ok(status !== undefined && status >= 400 && status < 500, `${target}: ${String(err)}`);
        outcomes.push(`${target} -> ${status}`);
      }
    }
    // Whatever those sockets did, the tabs got nothing more.
    for (const { id, tab } of tabs) {
      tab.send({ type: 'ping' });
      const frames = await framesUntil(tab, (f) => f.type === 'pong', 10_000);
      assert.deepEqual(dataTo(frames), [], `tab of ${JSON.stringify(id)} received nothing more`);
    }
    t.diagnostic(`figure: 10 paths: ${outcomes.join('; ')}`);
  });
});
