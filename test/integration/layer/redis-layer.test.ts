/**
 * RedisChannelLayer against the real Redis at TIDINGS_TEST_REDIS_URL: the shared contract suite, then what only
 * several processes show (two layer instances = two processes), each test under its own key prefix.
 */
import { after, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { TidingsError, isTidingsError } from '../../../src/errors.js';
import { createRedisChannelLayer, type RedisChannelLayer, type RedisChannelLayerOptions } from '../../../src/layer/index.js';
import { channelLayerContract } from '../../contract/channel-layer.js';
import { collect, expectOnlyMarker } from '../../contract/layer-helpers.js';
import { waitUntil } from '../../support/time.js';
import { deleteKeys, rawClient, REDIS_URL, redisSkipReason, uniquePrefix } from '../../support/services/redis.js';

const skip = await redisSkipReason();
const inspector = skip ? undefined : rawClient();
const prefixes: string[] = [];
after(async () => {
  if (!inspector) return;
  for (const prefix of prefixes) await deleteKeys(inspector, prefix);
  inspector.disconnect();
});

function newPrefix(): string {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  return prefix;
}

async function openLayer(t: TestContext, options: Partial<RedisChannelLayerOptions> = {}): Promise<RedisChannelLayer> {
  const layer = await createRedisChannelLayer({ url: REDIS_URL, prefix: options.prefix ?? newPrefix(), ...options });
  t.after(() => layer.close());
  return layer;
}

/** Counts every PUBLISH under `prefix` by pattern-subscribing; `settle()` waits until all earlier ones arrived. */
async function publishCounter(t: TestContext, prefix: string) {
  const client = rawClient();
  t.after(() => client.disconnect());
  const counts = new Map<string, number>();
  let sentinels = 0;
  client.on('pmessage', (_pattern: string, topic: string) => {
    if (topic === `${prefix}:sentinel`) sentinels++;
    else counts.set(topic, (counts.get(topic) ?? 0) + 1);
  });
  await client.psubscribe(`${prefix}:*`);
  const publisher = rawClient();
  t.after(() => publisher.disconnect());
  return {
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    /** Pub/sub preserves order per connection pair, so once the sentinel arrives the earlier ones have too. */
    async settle(): Promise<void> {
      const want = sentinels + 1;
      await publisher.publish(`${prefix}:sentinel`, 'x');
      await waitUntil(() => sentinels >= want, 2000, 'sentinel publish');
    },
  };
}

describe('RedisChannelLayer', { skip }, () => {
  channelLayerContract('redis', (options) => createRedisChannelLayer({ url: REDIS_URL, prefix: newPrefix(), ...options }));

  it('a group send from one process reaches members on both exactly once, with ONE publish', async (t) => {
    const prefix = newPrefix();
    const [a, b] = [await openLayer(t, { prefix }), await openLayer(t, { prefix })];
    const counter = await publishCounter(t, prefix);
    const members = [...[1, 2].map(() => [a, a.newChannel()] as const), ...[1, 2, 3].map(() => [b, b.newChannel()] as const)];
    const inboxes = members.map(([layer, channel]) => collect(layer, channel));
    for (const [layer, channel] of members) await layer.groupAdd('room', channel);

    await a.groupSend('room', { type: 'chat', n: 1 });
    await b.groupSend('room', { type: 'chat', n: 2 });
    for (const [i, inbox] of inboxes.entries()) {
      assert.deepEqual((await inbox.take(2)).map((m) => m.n).sort(), [1, 2]);
      await expectOnlyMarker(members[i]![0], members[i]![1], inbox);
    }
    await counter.settle();
    assert.deepEqual([...counter.counts], [[`${prefix}:group:room`, 2]]);

    for (let i = 0; i < 50; i++) await b.groupAdd('room', b.newChannel());
    await a.groupSend('room', { type: 'chat', n: 3 });
    await counter.settle();
    assert.equal(counter.counts.get(`${prefix}:group:room`), 3, 'publishes must not grow with members');
    assert.equal(a.stats.published, 2);
  });

  it('members on the remote process get one shared object; a publish-only process reaches everyone', async (t) => {
    const prefix = newPrefix();
    const [a, b, publisher] = [await openLayer(t, { prefix }), await openLayer(t, { prefix }), await openLayer(t, { prefix })];
    const channels = [a.newChannel(), b.newChannel(), b.newChannel()];
    const layers = [a, b, b];
    const inboxes = channels.map((c, i) => collect(layers[i]!, c));
    for (const [i, c] of channels.entries()) await layers[i]!.groupAdd('news', c);
    await publisher.groupSend('news', { type: 'news', text: 'hello' });
    const got = await Promise.all(inboxes.map((inbox) => inbox.next()));
    assert.ok(got.every((m) => m.text === 'hello'));
    assert.ok(got[1] === got[2], 'remote members should share one decoded object');
    for (const [i, inbox] of inboxes.entries()) await expectOnlyMarker(layers[i]!, channels[i]!, inbox);
  });

  it('send to another process routes to exactly that node; it enforces capacity', async (t) => {
    const prefix = newPrefix();
    const [a, b] = [await openLayer(t, { prefix, capacity: 2 }), await openLayer(t, { prefix, capacity: 2 })];
    const counter = await publishCounter(t, prefix);
    const target = b.newChannel();
    await a.send(target, { type: 'direct', n: 1 });
    await a.send(target, { type: 'direct', n: 2 });
    await a.send(target, { type: 'direct', n: 3 }); // b drops it: full
    await waitUntil(() => b.stats.droppedFull === 1, 2000, 'remote drop counted');
    const inbox = collect(b, target);
    assert.deepEqual((await inbox.take(2)).map((m) => m.n), [1, 2]);
    await counter.settle();
    assert.deepEqual([...counter.counts], [[`${prefix}:node:${b.node}`, 3]]);
    await b.send(b.newChannel(), { type: 'local' }); // own channel: no Redis
    await counter.settle();
    assert.equal(counter.total(), 3);
  });

  it('groupAdd of another process channel is applied by its owner', async (t) => {
    const prefix = newPrefix();
    const [a, b] = [await openLayer(t, { prefix }), await openLayer(t, { prefix })];
    const channel = b.newChannel();
    const inbox = collect(b, channel);
    await a.groupAdd('remote-added', channel);
    await waitUntil(async () => {
      const [, n] = (await inspector!.pubsub('NUMSUB', `${prefix}:group:remote-added`)) as [string, number];
      return Number(n) === 1;
    }, 2000, 'owner subscribed');
    await a.groupSend('remote-added', { type: 'x', n: 1 });
    assert.equal((await inbox.next()).n, 1);
    await a.groupDiscard('remote-added', channel);
    await waitUntil(async () => {
      const [, n] = (await inspector!.pubsub('NUMSUB', `${prefix}:group:remote-added`)) as [string, number];
      return Number(n) === 0;
    }, 2000, 'owner unsubscribed');
    await a.groupSend('remote-added', { type: 'x', n: 2 });
    await expectOnlyMarker(b, channel, inbox);
  });

  it('keeps memberships in a sorted set scored by expiry; cleans up dead entries and on close', async (t) => {
    const prefix = newPrefix();
    const a = await createRedisChannelLayer({ url: REDIS_URL, prefix, groupExpiry: 600 });
    t.after(() => a.close());
    const key = `${prefix}:members:g`;
    await inspector!.zadd(key, Date.now() - 1000, 'specific.deadnode!gone');
    const [c1, c2] = [a.newChannel(), a.newChannel()];
    const before = Date.now();
    await a.groupAdd('g', c1);
    await a.groupAdd('g', c2);
    const entries = await inspector!.zrange(key, 0, -1, 'WITHSCORES');
    assert.deepEqual(entries.filter((_, i) => i % 2 === 0).sort(), [c1, c2].sort(), 'dead member removed');
    const score = Number(entries[1]);
    assert.ok(score >= before + 600_000 && score <= Date.now() + 600_000, `score ${score} is not now + groupExpiry`);
    const ttl = await inspector!.pttl(key);
    assert.ok(ttl > 590_000 && ttl <= 600_000, `key ttl ${ttl}`);
    await a.groupDiscard('g', c1);
    assert.deepEqual(await inspector!.zrange(key, 0, -1), [c2]);
    await a.close();
    assert.equal(await inspector!.exists(key), 0, 'close removes its memberships');
  });

  it('rejects a message over maxMessageBytes with MESSAGE_TOO_LARGE and sends nothing', async (t) => {
    const prefix = newPrefix();
    const [a, b] = [await openLayer(t, { prefix, maxMessageBytes: 1000 }), await openLayer(t, { prefix })];
    const counter = await publishCounter(t, prefix);
    const local = a.newChannel();
    const inbox = collect(a, local);
    await a.groupAdd('g', local);
    const big = { type: 'big', text: 'é'.repeat(600) }; // 600 characters, 1200 bytes
    const tooLarge = (err: unknown) => err instanceof TidingsError && err.code === 'MESSAGE_TOO_LARGE';
    await assert.rejects(a.groupSend('g', big), tooLarge);
    await assert.rejects(a.send(b.newChannel(), big), tooLarge);
    await a.groupSend('g', { type: 'small', text: 'é'.repeat(400) });
    assert.equal((await inbox.next()).type, 'small');
    await counter.settle();
    assert.equal(counter.total(), 1);
  });

  it('accepts only process-specific channels it can route', async (t) => {
    const prefix = newPrefix();
    const [a, b] = [await openLayer(t, { prefix }), await openLayer(t, { prefix })];
    await assert.rejects(a.send('plain.channel', { type: 'x' }), /not process-specific/);
    await assert.rejects(a.groupAdd('g', 'plain'), TypeError);
    assert.throws(() => a.receive(b.newChannel(), () => {}), /another process/);
    await a.groupDiscard('g', 'plain'); // never a member: fine
  });

  it('rejects a URL that is not redis:// without echoing it', async () => {
    await assert.rejects(createRedisChannelLayer({ url: 'http://user:secret@host' }), (err: unknown) => {
      assert.ok(isTidingsError(err) && err.code === 'CONFIG_INVALID', String(err));
      assert.doesNotMatch(err.message, /secret/);
      return true;
    });
  });
});
