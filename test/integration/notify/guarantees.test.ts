/**
 * Regression tests for schedules that broke the delivery guarantees (docs/guarantees.md), one per defect:
 * each failed before its fix. A burst over the layer's channel capacity, a membership outliving
 * `groupExpiry`, the cursor after `recovered:false`, a replay or burst larger than the slow-client cap, bytes
 * queued before `hello`, a full consumer queue holding an unread count, a catch-up after a layer recovery
 * reaching a connection still in `connect()`, and long polls per user.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { createTidingsClient, type WebSocketConstructor } from '../../../src/client/index.js';
import { TidingsError } from '../../../src/errors.js';
import { createInboxStore, type InboxStore } from '../../../src/inbox/index.js';
import { MemoryChannelLayer, type LayerState } from '../../../src/layer/index.js';
import { startTestServer, type Frame, type TestServer, type TestSocket } from '../../../src/testing/index.js';
import { framesUntil, shownCount } from '../../support/frames.js';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const srv = await startTestServer(options);
  servers.push(srv);
  return srv;
}

function seqsOf(frames: readonly Frame[]): number[] {
  return frames.filter((f) => f.type === 'notification').map((f) => f.seq as number);
}

const upTo = (n: number, from = 1): number[] => Array.from({ length: n - from + 1 }, (_, i) => from + i);

/** Frames until notification `seq` arrived (pings dropped); fails on a timeout, which is what a loss looks like. */
const untilSeq = (socket: TestSocket, seq: number, timeoutMs = 10_000) => framesUntil(socket, (f) => f.type === 'notification' && f.seq === seq, timeoutMs);

/** A gate an inbox method waits on while it is closed; `entered()` resolves once a call is waiting on it. */
function gate(): { wait(): Promise<void>; open(): void; close(): void; entered(): Promise<void> } {
  let release: () => void = () => {};
  let closed: Promise<void> | null = null;
  let arrived: () => void = () => {};
  let entered = new Promise<void>((resolve) => (arrived = resolve));
  return {
    wait() {
      if (!closed) return Promise.resolve();
      arrived();
      return closed;
    },
    entered: () => entered,
    open() {
      closed = null;
      release();
    },
    close() {
      closed = new Promise((resolve) => (release = resolve));
      entered = new Promise<void>((resolve) => (arrived = resolve));
    },
  };
}

/** A `:memory:` SQLite inbox whose `counts` and `since` wait for their gates. */
async function gatedInbox(): Promise<{ inbox: InboxStore; counts: ReturnType<typeof gate>; since: ReturnType<typeof gate> }> {
  const real = await createInboxStore('sqlite::memory:');
  const counts = gate();
  const since = gate();
  const inbox = Object.create(real) as InboxStore;
  inbox.counts = async (userId) => (await counts.wait(), real.counts(userId));
  inbox.since = async (userId, seq, limit) => (await since.wait(), real.since(userId, seq, limit));
  return { inbox, counts, since };
}

describe('delivery guarantees: regressions', () => {
  it('defect 1: a burst of 300 to one user over the channel capacity reaches the open tab whole', async () => {
    const srv = await start({ settings: { capacity: 100 } });
    const tab = await srv.connect('/inform/', { user: 'alice' });
    assert.equal((await tab.nextFrame()).type, 'hello');
    await Promise.all(upTo(300).map((i) => srv.notify('alice', { kind: 'reply', data: { i } })));
    const frames = await untilSeq(tab, 300);
    assert.deepEqual(seqsOf(frames), upTo(300));
    assert.equal(shownCount(frames, 0), 300);
    tab.close();
  });

  it('defect 1: one HTTP request naming the same user 150 times reaches the open tab whole', async () => {
    const srv = await start({ settings: { capacity: 100 } });
    const tab = await srv.connect('/inform/', { user: 'alice' });
    await tab.nextFrame();
    const res = await srv.api('/v1/notifications', { body: { to: Array(150).fill('alice'), kind: 'reply', data: {} } });
    assert.equal(res.status, 201);
    const frames = await untilSeq(tab, 150);
    assert.deepEqual(seqsOf(frames), upTo(150));
    assert.equal(shownCount(frames, 0), 150);
    tab.close();
  });

  it('defect 2: an open tab keeps receiving after groupExpiry has passed', async () => {
    let offset = 0;
    const layer = new MemoryChannelLayer({ groupExpiry: 2, clock: () => Date.now() + offset });
    const srv = await start({ layer });
    const tab = await srv.connect('/inform/', { user: 'alice' });
    await tab.nextFrame();
    offset += 3_500;
    (layer as unknown as { registry: { sweep(): void } }).registry.sweep();
    await srv.notify('alice', { kind: 'reply', data: {} });
    assert.equal((await tab.nextOfType('notification')).seq, 1);
    await srv.tidings.broadcast({ kind: 'announcement', data: {} });
    assert.equal((await tab.nextOfType('broadcast')).kind, 'announcement');
    tab.close();
  });

  it('defect 3: after recovered:false the cursor names what was covered, and the client emits the next seq', async () => {
    const srv = await start({ settings: { replayLimit: 2 } });
    const tab = await srv.connect('/inform/', { user: 'alice' });
    assert.equal((await tab.nextFrame()).seq, 0);
    const client = createTidingsClient({ url: srv.wsUrl('/inform/'), getToken: () => srv.tidings.token('alice'), WebSocket: WebSocket as unknown as WebSocketConstructor, BroadcastChannel: null });
    const seen: number[] = [];
    const resyncs: string[] = [];
    client.on('notification', (n) => seen.push(n.seq));
    client.on('resync', (r) => resyncs.push(r.reason));
    await new Promise<void>((resolve) => client.on('state', (s) => s === 'open' && resolve()));
    for (let i = 0; i < 3; i++) await srv.tidings.inbox.add({ userId: 'alice', kind: 'reply', data: { stored: i } });
    await srv.notify('alice', { kind: 'reply', data: { live: true } });
    const frames = await untilSeq(tab, 4);
    const resumed = frames.find((f) => f.type === 'resumed');
    assert.deepEqual(resumed, { type: 'resumed', since: 0, seq: 3, count: 0, recovered: false });
    await new Promise<void>((resolve) => (seen.includes(4) ? resolve() : client.on('notification', (n) => n.seq === 4 && resolve())));
    assert.deepEqual(seen, [4]);
    assert.deepEqual(resyncs, ['not-recovered']);
    client.close();
    tab.close();
  });

  it('defect 4: a replay of 60 notifications of 20 KB to a prompt reader is sent whole, not cut with 4002', async () => {
    const srv = await start();
    const big = 'x'.repeat(20_000);
    for (let i = 0; i < 60; i++) await srv.tidings.inbox.add({ userId: 'alice', kind: 'reply', data: { big, i } });
    const tab = await srv.connect('/inform/', { user: 'alice', since: 0 });
    const frames = await framesUntil(tab, (f) => f.type === 'resumed', 10_000);
    assert.deepEqual(seqsOf(frames), upTo(60));
    assert.deepEqual(frames.at(-1), { type: 'resumed', since: 0, seq: 60, count: 60, recovered: true });
    tab.close();
    assert.equal((await tab.closed()).code, 1000);
  });

  it('defect 4: a live burst of 300 notifications of 20 KB to a prompt reader arrives whole, not cut with 4002', async () => {
    const srv = await start({ settings: { capacity: 1000 } });
    const tab = await srv.connect('/inform/', { user: 'alice' });
    await tab.nextFrame();
    const big = 'y'.repeat(20_000);
    await Promise.all(upTo(300).map((i) => srv.notify('alice', { kind: 'reply', data: { big, i } })));
    const frames = await untilSeq(tab, 300);
    assert.deepEqual(seqsOf(frames), upTo(300));
    assert.equal(shownCount(frames, 0), 300);
    tab.close();
    assert.equal((await tab.closed()).code, 1000);
  });

  it('defect 5: frames queued before hello are bounded in bytes: the flooding socket is closed with 4029', async () => {
    const { inbox, counts } = await gatedInbox();
    const srv = await start({ inbox });
    counts.close();
    const flooder = await srv.connect('/inform/', { user: 'mallory' });
    const pad = 'p'.repeat(60_000);
    for (let i = 0; i < 40; i++) flooder.send({ type: 'ping', pad });
    const closed = await flooder.closed(10_000);
    assert.equal(closed.code, 4029);
    counts.open();
    const other = await srv.connect('/inform/', { user: 'bob' });
    assert.equal((await other.nextFrame()).type, 'hello');
    other.close();
  });

  it('defect 6: a consumer queue that overflows behind a slow replay still ends on the true unread count', async () => {
    const { inbox, since } = await gatedInbox();
    const srv = await start({ inbox, settings: { capacity: 100_000, replayLimit: 5_000 } });
    await srv.notify('alice', { kind: 'reply', data: { first: true } });
    const tab = await srv.connect('/inform/', { user: 'alice' });
    assert.equal((await tab.nextFrame()).seq, 1);
    since.close();
    tab.send({ type: 'resume', since: 0 });
    await since.entered(); // the consumer waits in the replay: live events queue behind it
    await Promise.all(upTo(1200).map((i) => srv.notify('alice', { kind: 'reply', data: { i } })));
    await srv.tidings.publisher.markAllRead('alice');
    since.open();
    const frames = await untilSeq(tab, 1201, 15_000);
    // Whatever comes after the last notification is a count correction: take it too.
    tab.send({ type: 'ping' });
    frames.push(...(await framesUntil(tab, (f) => f.type === 'pong')));
    assert.deepEqual(seqsOf(frames).filter((s) => s > 1), upTo(1201, 2));
    assert.equal(shownCount(frames, 1), 0);
    tab.close();
  });

  it('defect 6: a catch-up after a layer recovery reaches a connection still inside connect()', async () => {
    const { inbox, since } = await gatedInbox();
    const layer = new RecoveringLayer();
    const srv = await start({ inbox, layer });
    await srv.tidings.inbox.add({ userId: 'alice', kind: 'reply', data: { n: 1 } });
    since.close();
    const tab = await srv.connect('/inform/', { user: 'alice', since: 0 });
    assert.equal((await tab.nextFrame()).seq, 1); // hello
    await since.entered(); // the replay waits on the inbox: the connection is still inside connect()
    await srv.tidings.inbox.add({ userId: 'alice', kind: 'reply', data: { n: 2, pushLost: true } });
    layer.recover();
    since.open();
    const frames = await untilSeq(tab, 2);
    assert.deepEqual(seqsOf(frames), [1, 2]);
    tab.close();
  });

  it('defect 7: a catch-up that finds the inbox unavailable is tried again until it can read it', async () => {
    // Found by the model checker (pg-redis, seed 61320454): a burst over capacity on a slow database; the
    // catch-up after the drop failed, and the tab stayed behind with a stale count.
    const real = await createInboxStore('sqlite::memory:');
    let down = false;
    let refused = 0;
    let onRefused: () => void = () => {};
    const inbox = Object.create(real) as InboxStore;
    inbox.counts = async (userId) => {
      if (!down) return real.counts(userId);
      refused++;
      onRefused();
      throw new TidingsError('INBOX_UNAVAILABLE', 'inbox database unavailable during counts');
    };
    const srv = await start({ inbox, settings: { capacity: 10 } });
    const tab = await srv.connect('/inform/', { user: 'alice' });
    assert.equal((await tab.nextFrame()).type, 'hello');
    down = true;
    const refusedOnce = new Promise<void>((resolve) => (onRefused = resolve));
    await Promise.all(upTo(30).map((i) => srv.notify('alice', { kind: 'reply', data: { i } })));
    await refusedOnce; // the drop notice came, and its catch-up could not read the counts
    down = false;
    const frames = await untilSeq(tab, 30);
    assert.deepEqual(seqsOf(frames), upTo(30));
    assert.equal(shownCount(frames, 0), 30);
    assert.ok(refused >= 1);
    tab.close();
  });

  it('defect 6: long polls are limited per user (429 TOO_MANY_CONNECTIONS)', async () => {
    const srv = await start({ settings: { maxConnectionsPerUser: 2 } });
    const token = await srv.tidings.token('alice');
    const poll = () => fetch(`${srv.url}/v1/me/poll?since=0&wait=10`, { headers: { authorization: `Bearer ${token}` } });
    const waiting = [poll(), poll()];
    await waitForWaiters(srv, 2);
    const third = await poll();
    assert.equal(third.status, 429);
    assert.equal(((await third.json()) as { code: string }).code, 'TOO_MANY_CONNECTIONS');
    await srv.notify('alice', { kind: 'reply', data: {} });
    for (const res of await Promise.all(waiting)) assert.equal(res.status, 200);
  });
});

/** Wait until `n` long polls are registered on the server (read from /v1/stats). */
async function waitForWaiters(srv: TestServer, n: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const stats = (await (await srv.api('/v1/stats')).json()) as { pollWaiters?: number };
    if ((stats.pollWaiters ?? 0) >= n) return;
    if (Date.now() > deadline) assert.fail(`expected ${n} poll waiters, have ${stats.pollWaiters}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A memory layer that can report a recovery from an outage (`degraded` -> `ready`), as the Redis layer does. */
class RecoveringLayer extends MemoryChannelLayer {
  #listeners: Array<(state: LayerState, previous: LayerState) => void> = [];
  override onStateChange(listener: (state: LayerState, previous: LayerState) => void): () => void {
    this.#listeners.push(listener);
    return () => (this.#listeners = this.#listeners.filter((l) => l !== listener));
  }
  recover(): void {
    for (const l of this.#listeners) l('ready', 'degraded');
  }
}
