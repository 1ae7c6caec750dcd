/**
 * The story end to end on one process (memory layer, SQLite): alice in two tabs, bob's reply
 * published through the SDK and the HTTP API, site-wide broadcasts, read / read_all / POST /v1/me/read
 * answered on every tab, the unread count equal to the number of unread rows (also under concurrent
 * publishes and reads), and no user ever receiving another user's notifications.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, TestSocket, type Frame, type TestServer } from '../../../src/testing/index.js';
import { framesOf, framesUntil, shownCount } from '../../support/frames.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ settings: { allowAnonymous: true } });
});
after(() => srv.close());

/** The stored count and the number of unread rows, which must always agree. */
async function inboxCounts(user: string): Promise<{ count: number; rows: number }> {
  const c = await srv.api(`/v1/users/${encodeURIComponent(user)}/unread-count`);
  const list = await srv.api(`/v1/users/${encodeURIComponent(user)}/notifications?unread=1&limit=100`);
  const counts = (await c.json()) as { unread: number };
  const page = (await list.json()) as { items: unknown[]; nextBefore: number | null };
  assert.equal(page.nextBefore, null, 'fewer than 100 unread rows expected');
  return { count: counts.unread, rows: page.items.length };
}

/** The ids of the user's unread rows, sorted. */
async function unreadIds(user: string): Promise<string[]> {
  const list = await srv.api(`/v1/users/${encodeURIComponent(user)}/notifications?unread=1&limit=100`);
  const page = (await list.json()) as { items: { id: string }[]; nextBefore: number | null };
  assert.equal(page.nextBefore, null, 'fewer than 100 unread rows expected');
  return page.items.map((n) => n.id).sort();
}

async function expectExact(user: string, expected: number): Promise<void> {
  assert.deepEqual(await inboxCounts(user), { count: expected, rows: expected });
}

/** A broadcast as a marker: once it arrives, everything pushed to the socket before it has arrived too. */
async function marker(label: string): Promise<(f: Frame) => boolean> {
  await srv.tidings.broadcast({ kind: 'marker', data: { label } });
  return (f) => f.type === 'broadcast' && (f.data as { label?: string }).label === label;
}

describe('the story: alice, two tabs, bob replies', () => {
  let tab1: TestSocket;
  let tab2: TestSocket;
  let bob: TestSocket;
  let anon: TestSocket;
  const ids: string[] = [];

  before(async () => {
    [tab1, tab2, bob, anon] = await Promise.all([
      srv.connect('/inform/', { user: 'alice' }),
      srv.connect('/inform/', { user: 'alice' }),
      srv.connect('/inform/', { user: 'bob' }),
      srv.connect('/inform/'),
    ]);
  });
  after(() => {
    for (const s of [tab1, tab2, bob, anon]) s.close();
  });

  it('every connection starts with hello {user, unread, seq, ping}', async () => {
    for (const tab of [tab1, tab2]) assert.deepEqual(await tab.nextFrame(), { type: 'hello', user: 'alice', unread: 0, seq: 0, ping: 25 });
    assert.deepEqual(await bob.nextFrame(), { type: 'hello', user: 'bob', unread: 0, seq: 0, ping: 25 });
    assert.deepEqual(await anon.nextFrame(), { type: 'hello', user: null, unread: 0, seq: 0, ping: 25 });
  });

  it("bob's reply through the SDK reaches both tabs with unread 1", async () => {
    const [published] = await srv.tidings.notify({ to: 'alice', kind: 'reply', data: { from: 'bob', article: 'Channels' } });
    assert.ok(published?.created);
    for (const tab of [tab1, tab2]) {
      const f = await tab.nextFrame();
      assert.deepEqual(f, { type: 'notification', id: published.notification.id, seq: 1, kind: 'reply', data: { from: 'bob', article: 'Channels' }, createdAt: published.notification.createdAt, unread: 1 });
    }
    ids.push(published.notification.id);
    await expectExact('alice', 1);
  });

  it('a reply through POST /v1/notifications arrives on both tabs with unread 2, after the 201', async () => {
    const res = await srv.api('/v1/notifications', { body: { to: 'alice', kind: 'reply', data: { from: 'bob' } } });
    assert.equal(res.status, 201);
    const body = (await res.json()) as { id: string; seq: number; unread: number; created: boolean; userId: string };
    assert.equal(body.seq, 2);
    assert.equal(body.unread, 2);
    assert.equal(body.userId, 'alice');
    for (const tab of [tab1, tab2]) {
      const f = await tab.nextFrame();
      assert.equal(f.id, body.id);
      assert.equal(f.seq, 2);
      assert.equal(f.unread, 2);
    }
    ids.push(body.id);
    await expectExact('alice', 2);
  });

  it("bob and the anonymous socket received none of alice's notifications", async () => {
    const done = await marker('after-replies');
    for (const s of [bob, anon]) {
      const frames = await framesUntil(s, done);
      assert.deepEqual(frames.map((f) => f.type), ['broadcast']);
    }
    for (const tab of [tab1, tab2]) assert.deepEqual((await framesUntil(tab, done)).map((f) => f.type), ['broadcast']);
  });

  it('a site-wide broadcast (SDK and POST /v1/broadcasts) reaches every socket, anonymous included', async () => {
    const sdk = await srv.tidings.broadcast({ kind: 'announcement', data: { text: 'maintenance at 6' } });
    const res = await srv.api('/v1/broadcasts', { body: { kind: 'announcement', data: { text: 'done' } } });
    assert.equal(res.status, 202);
    const http = (await res.json()) as { id: string };
    for (const s of [tab1, tab2, bob, anon]) {
      const [a, b] = await framesOf(s, 'broadcast', 2);
      assert.deepEqual(a, { type: 'broadcast', id: sdk.id, kind: 'announcement', data: { text: 'maintenance at 6' }, createdAt: sdk.createdAt });
      assert.equal(b?.id, http.id);
    }
  });

  it('a read frame from one tab answers {"type":"unread","count":1} on both tabs, and not to bob', async () => {
    tab1.send({ type: 'read', ids: [ids[0]] });
    for (const tab of [tab1, tab2]) assert.deepEqual(await tab.nextFrame(), { type: 'unread', count: 1 });
    await expectExact('alice', 1);
    const done = await marker('after-read');
    assert.deepEqual((await framesUntil(bob, done)).map((f) => f.type), ['broadcast']);
    for (const tab of [tab1, tab2]) await framesUntil(tab, done);
  });

  it('alice cannot mark bob\'s notifications read: ids of other users are ignored', async () => {
    const [forBob] = await srv.tidings.notify({ to: 'bob', kind: 'follow', data: {} });
    assert.equal((await bob.nextFrame()).seq, 1);
    tab1.send({ type: 'read', ids: [forBob!.notification.id] });
    for (const tab of [tab1, tab2]) assert.deepEqual(await tab.nextFrame(), { type: 'unread', count: 1 });
    await expectExact('bob', 1);
  });

  it('POST /v1/me/read with the user token answers the count and pushes it to both tabs', async () => {
    const token = await srv.tidings.token('alice');
    const res = await fetch(`${srv.url}/v1/me/read`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [ids[1]] }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { unread: 0 });
    for (const tab of [tab1, tab2]) assert.deepEqual(await tab.nextFrame(), { type: 'unread', count: 0 });
    await expectExact('alice', 0);
  });

  it('read_all answers count 0 on both tabs', async () => {
    await srv.notify('alice', { kind: 'reply', data: {} });
    await srv.notify('alice', { kind: 'reply', data: {} });
    for (const tab of [tab1, tab2]) assert.deepEqual((await framesOf(tab, 'notification', 2)).map((f) => f.unread), [1, 2]);
    await expectExact('alice', 2);
    tab2.send({ type: 'read_all' });
    for (const tab of [tab1, tab2]) assert.deepEqual(await tab.nextFrame(), { type: 'unread', count: 0 });
    await expectExact('alice', 0);
  });

  it('under concurrent publishes and reads of stored ids, every tab ends showing exactly the unread rows', async () => {
    const before = await unreadIds('alice');
    // bob holds unread rows of his own, which no read of alice may change.
    await srv.tidings.notify({ to: 'bob', kind: 'follow', data: {} });
    const bobBefore = await inboxCounts('bob');
    assert.ok(bobBefore.rows > 0 && bobBefore.count === bobBefore.rows, `bob: ${JSON.stringify(bobBefore)}`);
    const token = await srv.tidings.token('alice');
    // Each read names ids whose publish has completed (they are stored), while later publishes still run.
    const pubs: Promise<string>[] = [];
    const marked = new Set<string>();
    const ops: Promise<unknown>[] = [];
    const afterStored = (n: number, read: (ids: string[]) => Promise<unknown>) => {
      const stored = Promise.all(pubs.slice(-n));
      ops.push(stored.then(async (ids) => {
        await read(ids);
        for (const id of ids) marked.add(id);
      }));
    };
    const meRead = (ids: string[]) =>
      fetch(`${srv.url}/v1/me/read`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ ids: ids.concat('none') }) }).then((r) => assert.equal(r.status, 200));
    let frameReads = 0;
    for (let i = 0; i < 60; i++) {
      pubs.push(srv.tidings.notify({ to: 'alice', kind: 'burst', data: { i } }).then(([p]) => p!.notification.id));
      if (i % 7 === 3) afterStored(3, (ids) => srv.tidings.markRead('alice', ids));
      if (i % 11 === 4) afterStored(2, meRead);
      if (i % 9 === 2) {
        frameReads++;
        afterStored(1, async (ids) => tab1.send({ type: 'read', ids: ids.concat('none') }));
      }
    }
    const published = await Promise.all(pubs);
    await Promise.all(ops);
    // Frames are handled one at a time in order: the pong says tab1's read frames are done.
    tab1.send({ type: 'ping' });
    const early = await framesUntil(tab1, (f) => f.type === 'pong');
    const done = await marker('after-burst');
    assert.ok(marked.size >= 20 && frameReads > 0, `reads named ${marked.size} stored ids`);
    // Exactly the published rows that no read named are unread: the reads changed rows, and only theirs.
    const expected = [...before, ...published.filter((id) => !marked.has(id))].sort();
    assert.deepEqual(await unreadIds('alice'), expected);
    await expectExact('alice', expected.length);
    for (const tab of [tab1, tab2]) {
      const frames = [...(tab === tab1 ? early : []), ...(await framesUntil(tab, done))];
      const seqs = frames.filter((f) => f.type === 'notification').map((f) => f.seq as number);
      assert.deepEqual(seqs, Array.from({ length: 60 }, (_, i) => seqs[0]! + i), 'every notification once, in order');
      assert.equal(shownCount(frames, before.length), expected.length, 'the count shown after the partial reads equals the unread rows');
    }
    // Then read_all: every tab shows 0, no row of alice is unread, and no other user's row changed.
    tab2.send({ type: 'read_all' });
    for (const tab of [tab1, tab2]) assert.deepEqual(await tab.nextOfType('unread'), { type: 'unread', count: 0 });
    assert.deepEqual(await unreadIds('alice'), []);
    await expectExact('alice', 0);
    assert.deepEqual(await inboxCounts('bob'), bobBefore);
  });
});

describe('isolation: only the token decides the personal group', () => {
  // Ids that a careless mapping (lower-casing, Unicode folding, path normalising) would merge with "alice".
  const USERS = ['alice', 'Alice', 'ALICE', '\u0430lice' /* Cyrillic a */, 'alice\u200b', '../alice', 'x/../alice', 'tidings.u.alice', 'u.alice', 'alice '];

  it('each socket receives only notifications for its own id, whatever it adds to the URL', async () => {
    const sockets = new Map<string, TestSocket>();
    for (const user of USERS) {
      const token = await srv.tidings.token(user);
      // The client adds a `user` parameter (and a path-looking one); neither may change the group.
      const url = srv.wsUrl(`/inform/?user=bob&user_id=alice&group=tidings.u.alice&token=${encodeURIComponent(token)}`);
      const socket = await TestSocket.open(url);
      sockets.set(user, socket);
      const hello = await socket.nextFrame();
      assert.equal(hello.user, user);
    }
    try {
      const seqBefore = new Map<string, number>();
      for (const user of USERS) seqBefore.set(user, (await srv.tidings.inbox.counts(user)).seq);
      for (const user of USERS) await srv.tidings.notify({ to: user, kind: 'iso', data: { to: user } });
      const done = await marker('after-isolation');
      for (const [user, socket] of sockets) {
        const frames = await framesUntil(socket, done);
        const mine = frames.filter((f) => f.type === 'notification');
        assert.deepEqual(mine.map((f) => (f.data as { to: string }).to), [user], `socket of ${JSON.stringify(user)}`);
        assert.equal(mine[0]?.seq, seqBefore.get(user)! + 1);
      }
    } finally {
      for (const s of sockets.values()) s.close();
    }
  });

  it('anonymous sockets are closed with 4501 before any frame unless allowAnonymous', async () => {
    const strict = await startTestServer();
    try {
      const socket = await strict.connect('/inform/');
      assert.deepEqual(await socket.closed(), { code: 4501, reason: 'UNAUTHORIZED' });
      assert.equal(socket.pending, 0);
    } finally {
      await strict.close();
    }
  });

  it('an anonymous socket (allowed) cannot use personal frames', async () => {
    const anon = await srv.connect('/inform/');
    assert.equal((await anon.nextFrame()).user, null);
    anon.send({ type: 'read_all' });
    const err = await anon.nextFrame();
    assert.equal(err.type, 'error');
    assert.equal(err.code, 'UNAUTHORIZED');
    anon.close();
  });
});
