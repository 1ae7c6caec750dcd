/**
 * The long-poll fallback `GET /v1/me/poll?since=&wait=`: immediate when something newer exists, otherwise
 * waiting until a notification is published (woken through the channel layer), or empty after `wait`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryChannelLayer, type MemoryChannelLayer } from '../../../src/layer/index.js';
import { startTestServer, type TestServer } from '../../../src/testing/index.js';

let srv: TestServer;
let layer: MemoryChannelLayer;
/** Resolvers waiting for the next poll channel to join a group (i.e. a poll is now waiting). */
const joined: Array<() => void> = [];

before(async () => {
  layer = createMemoryChannelLayer();
  const groupAdd = layer.groupAdd.bind(layer);
  layer.groupAdd = async (group, channel) => {
    await groupAdd(group, channel);
    if (channel.startsWith('poll.')) joined.splice(0).forEach((wake) => wake());
  };
  srv = await startTestServer({ layer });
});
after(async () => {
  await srv.close();
  await layer.close();
});

type PollBody = { items: Array<{ seq: number; kind: string }>; seq: number; unread: number };

async function poll(user: string, query: string): Promise<{ status: number; body: PollBody & { code?: string }; ms: number }> {
  const started = Date.now();
  const token = await srv.tidings.token(user);
  const res = await fetch(`${srv.url}/v1/me/poll?${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as PollBody, ms: Date.now() - started };
}

/** Start a poll, and once it waits (its channel joined the group), publish to `to`. */
async function pollThenPublish(query: string, to: string, kind: string): ReturnType<typeof poll> {
  const waiting = new Promise<void>((resolve) => joined.push(resolve));
  const pending = poll('alice', query);
  await waiting;
  await srv.notify(to, { kind, data: {} });
  return pending;
}

describe('GET /v1/me/poll', () => {
  it('returns at once when something newer than `since` exists', async () => {
    await srv.notify('alice', { kind: 'a', data: {} });
    await srv.notify('alice', { kind: 'b', data: {} });
    const r = await poll('alice', 'since=0&wait=20');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((i) => i.seq), [1, 2]);
    assert.equal(r.body.seq, 2);
    assert.equal(r.body.unread, 2);
    assert.ok(r.ms < 5000, `answered in ${r.ms} ms, not after the wait`);
  });

  it('otherwise waits, and answers when a notification is published', async () => {
    const r = await pollThenPublish('since=2&wait=20', 'alice', 'c');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((i) => [i.seq, i.kind]), [[3, 'c']]);
    assert.ok(r.ms < 10_000, `woken by the publish (${r.ms} ms), not by the 20 s timeout`);
  });

  it("is not woken by another user's notification", async () => {
    const r = await pollThenPublish('since=3&wait=1', 'bob', 'x');
    assert.deepEqual(r.body.items, []);
    assert.ok(r.ms >= 900, `waited the full second (${r.ms} ms)`);
  });

  it('answers with no items after `wait` seconds', async () => {
    const r = await poll('alice', 'since=3&wait=1');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { items: [], seq: 3, unread: 3 });
    assert.ok(r.ms >= 900 && r.ms < 5000, `took ${r.ms} ms`);
  });

  it('400 for a bad since or wait, 401 without a token', async () => {
    for (const q of ['since=abc', 'since=-1', 'since=1.5']) {
      const r = await poll('alice', q);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.code, 'BAD_CURSOR', 'the code the protocol doc names for a bad cursor');
    }
    for (const q of ['wait=soon', 'wait=-2']) {
      const r = await poll('alice', q);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.code, 'INVALID_BODY');
    }
    const res = await fetch(`${srv.url}/v1/me/poll?since=0`);
    assert.equal(res.status, 401);
  });
});
