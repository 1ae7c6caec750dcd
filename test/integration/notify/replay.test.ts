/**
 * Replay after a reconnect, against SQLite and PostgreSQL (a schema of its own per run): 200 notifications
 * missed while disconnected arrive in order, once, then live ones; the same with a `resume` frame; the same
 * while notifications are being published during the replay; a bad cursor gets BAD_CURSOR and a normal
 * start; a replay larger than `replayLimit` says recovered:false; one longer than a page of the inbox works.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InboxStore } from '../../../src/inbox/index.js';
import { startTestServer, TestSocket, type Frame, type TestServer } from '../../../src/testing/index.js';
import { framesOf, framesUntil, shownCount } from '../../support/frames.js';
import { freshPostgresInbox, postgresSkipReason } from '../../support/services/postgres.js';

const MISSED = 200;

interface Backend {
  name: string;
  skip?: string | undefined;
  /** A server on this backend (`settings` over the test defaults); closed (and its data dropped) after the suite. */
  start(settings?: Record<string, unknown>): Promise<TestServer>;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const sqlite: Backend = {
  name: 'SQLite',
  async start(settings = {}) {
    const srv = await startTestServer({ settings });
    cleanups.push(() => srv.close());
    return srv;
  },
};

const pgSkip = await postgresSkipReason();
const postgres: Backend = {
  name: 'PostgreSQL',
  skip: pgSkip,
  async start(settings = {}) {
    const db = await freshPostgresInbox();
    const srv = await startTestServer({ settings, inbox: db.inbox as InboxStore });
    cleanups.push(async () => {
      await srv.close();
      await db.drop();
    });
    return srv;
  },
};

/** Publish `n` notifications to `user` concurrently (they are committed in batches, in call order). */
async function publish(srv: TestServer, user: string, n: number, tag: string): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => srv.tidings.notify({ to: user, kind: 'reply', data: { tag, i } })));
}

function seqsOf(frames: readonly Frame[]): number[] {
  return frames.filter((f) => f.type === 'notification').map((f) => f.seq as number);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * Connect, read hello, receive one live notification, disconnect, then publish `missed` more: returns the
 * last seq the client saw.
 */
async function awayWhilePublished(srv: TestServer, user: string, missed = MISSED): Promise<number> {
  const socket = await srv.connect('/inform/', { user });
  assert.equal((await socket.nextFrame()).type, 'hello');
  await srv.notify(user, { kind: 'reply', data: { first: true } });
  const seen = (await socket.nextOfType('notification')).seq as number;
  socket.close();
  await socket.closed();
  await publish(srv, user, missed, 'missed');
  return seen;
}

/** Read the replay up to `resumed` and check it: every seq in (last, upTo] once, in order, unread exact. */
async function expectReplay(socket: TestSocket, last: number, upTo: number, unread: number): Promise<void> {
  const frames = await framesUntil(socket, (f) => f.type === 'resumed', 10_000);
  assert.deepEqual(seqsOf(frames), range(last + 1, upTo));
  assert.ok(frames.filter((f) => f.type === 'notification').every((f) => f.unread === unread));
  assert.deepEqual(frames.at(-1), { type: 'resumed', since: last, seq: upTo, count: upTo - last, recovered: true });
}

for (const backend of [sqlite, postgres]) {
  describe(`replay after a reconnect (${backend.name})`, { skip: backend.skip }, () => {
    it(`?since=<last seq> after ${MISSED} missed: all of them in order, once, then live ones`, async () => {
      const srv = await backend.start();
      const last = await awayWhilePublished(srv, 'alice');
      const socket = await srv.connect('/inform/', { user: 'alice', since: last });
      assert.deepEqual(await socket.nextFrame(), { type: 'hello', user: 'alice', unread: last + MISSED, seq: last + MISSED, ping: 25 });
      await expectReplay(socket, last, last + MISSED, last + MISSED);
      await srv.notify('alice', { kind: 'reply', data: { live: true } });
      const live = await socket.nextFrame();
      assert.equal(live.seq, last + MISSED + 1);
      assert.equal(live.unread, last + MISSED + 1);
      assert.equal((await srv.tidings.inbox.counts('alice')).unread, last + MISSED + 1);
      socket.close();
    });

    it('a {"type":"resume","since":n} frame replays the same way', async () => {
      const srv = await backend.start();
      const last = await awayWhilePublished(srv, 'carol');
      const socket = await srv.connect('/inform/', { user: 'carol' });
      assert.equal((await socket.nextFrame()).seq, last + MISSED);
      socket.send({ type: 'resume', since: last });
      await expectReplay(socket, last, last + MISSED, last + MISSED);
      await srv.notify('carol', { kind: 'reply', data: {} });
      assert.equal((await socket.nextFrame()).seq, last + MISSED + 1);
      // Resuming again from a seq this connection already covered sends nothing twice.
      socket.send({ type: 'resume', since: last });
      const again = await framesUntil(socket, (f) => f.type === 'resumed');
      assert.deepEqual(again, [{ type: 'resumed', since: last, seq: last + MISSED + 1, count: 0, recovered: true }]);
      socket.close();
    });

    it('notifications published during the replay: no gap, no duplicate, in order', async () => {
      const srv = await backend.start();
      const last = await awayWhilePublished(srv, 'dave');
      // Keep publishing, one at a time, from before the connection until after its replay.
      let publishing = true;
      let published = 0;
      const during = (async () => {
        while (publishing || published < 50) {
          await srv.tidings.notify({ to: 'dave', kind: 'reply', data: { during: published } });
          published++;
        }
      })();
      const socket = await srv.connect('/inform/', { user: 'dave', since: last });
      const hello = await socket.nextFrame();
      assert.equal(hello.type, 'hello');
      const replay = await framesUntil(socket, (f) => f.type === 'resumed', 10_000);
      publishing = false;
      await during;
      const total = last + MISSED + published;
      const resumed = replay.at(-1) as Frame;
      assert.ok((resumed.seq as number) >= (hello.seq as number));
      const rest = await framesOf(socket, 'notification', total - (resumed.seq as number));
      assert.deepEqual(seqsOf([...replay, ...rest]), range(last + 1, total));
      assert.equal(shownCount([...replay, ...rest], hello.unread as number), (await srv.tidings.inbox.counts('dave')).unread);
      socket.close();
    });

    it('a resume frame while notifications are published: every seq exactly once, the replay ascending', async () => {
      const srv = await backend.start();
      const last = await awayWhilePublished(srv, 'erin');
      const socket = await srv.connect('/inform/', { user: 'erin' });
      await socket.nextFrame();
      let published = 0;
      const during = (async () => {
        for (; published < 40; published++) await srv.tidings.notify({ to: 'erin', kind: 'reply', data: { during: published } });
      })();
      socket.send({ type: 'resume', since: last });
      await during;
      const total = last + MISSED + published;
      const frames = await framesUntil(socket, (f) => f.type === 'resumed', 10_000);
      const afterResume = await framesOf(socket, 'notification', total - last - seqsOf(frames).length);
      const seqs = seqsOf([...frames, ...afterResume]);
      assert.deepEqual([...seqs].sort((a, b) => a - b), range(last + 1, total), 'each seq once, none missing');
      const replayed = seqsOf(frames).filter((s) => s <= last + MISSED);
      assert.deepEqual(replayed, range(last + 1, last + MISSED), 'the replay itself is in order');
      socket.close();
    });

    it('since ahead of the seq: hello, BAD_CURSOR, resumed recovered:false, then live frames', async () => {
      const srv = await backend.start();
      await publish(srv, 'frank', 3, 'x');
      const socket = await srv.connect('/inform/', { user: 'frank', since: 10 });
      assert.equal((await socket.nextFrame()).type, 'hello');
      const err = await socket.nextFrame();
      assert.equal(err.type, 'error');
      assert.equal(err.code, 'BAD_CURSOR');
      assert.deepEqual(await socket.nextFrame(), { type: 'resumed', since: 10, seq: 3, count: 0, recovered: false });
      await srv.notify('frank', { kind: 'reply', data: {} });
      assert.equal((await socket.nextFrame()).seq, 4);
      socket.send({ type: 'resume', since: 99 });
      assert.equal((await socket.nextFrame()).code, 'BAD_CURSOR');
      socket.close();
    });

    it('since that is not a number: hello, BAD_CURSOR, then live frames', async () => {
      const srv = await backend.start();
      for (const bad of ['abc', '-1', '1.5', '']) {
        const token = await srv.tidings.token('gina');
        const socket = await TestSocket.open(srv.wsUrl(`/inform/?token=${token}&since=${encodeURIComponent(bad)}`));
        assert.equal((await socket.nextFrame()).type, 'hello');
        assert.equal((await socket.nextFrame()).code, 'BAD_CURSOR', `since=${JSON.stringify(bad)}`);
        await srv.notify('gina', { kind: 'reply', data: {} });
        assert.equal((await socket.nextFrame()).type, 'notification');
        socket.close();
      }
      const socket = await srv.connect('/inform/', { user: 'gina' });
      await socket.nextFrame();
      socket.send({ type: 'resume', since: 'abc' });
      assert.equal((await socket.nextFrame()).code, 'INVALID_FRAME');
      socket.close();
    });

    it('more missed than replayLimit: recovered:false and the exact count, then live frames', async () => {
      const srv = await backend.start({ replayLimit: 50 });
      const last = await awayWhilePublished(srv, 'hank', 120);
      const socket = await srv.connect('/inform/', { user: 'hank', since: last });
      const frames = await framesUntil(socket, (f) => f.type === 'resumed');
      assert.deepEqual(frames.at(-1), { type: 'resumed', since: last, seq: last + 120, count: 0, recovered: false });
      assert.equal(seqsOf(frames).length, 0);
      await srv.notify('hank', { kind: 'reply', data: {} });
      assert.equal((await socket.nextFrame()).seq, last + 121);
      socket.close();
    });
  });
}

describe('a replay longer than one inbox page (SQLite)', () => {
  it('replays 1500 with replayLimit 5000 (the inbox returns at most 1000 per call)', async () => {
    const srv = await sqlite.start({ replayLimit: 5000 });
    await publish(srv, 'ivan', 1500, 'many');
    const socket = await srv.connect('/inform/', { user: 'ivan', since: 0 });
    await socket.nextFrame();
    const frames = await framesUntil(socket, (f) => f.type === 'resumed', 15_000);
    assert.deepEqual(seqsOf(frames), range(1, 1500));
    socket.close();
  });
});
