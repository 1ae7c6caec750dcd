/**
 * The channels_redis-compatible layers against the real Redis at TIDINGS_TEST_REDIS_URL: the shared contract
 * suite for both, then what two instances (two processes) and the raw keys show. Interop with the Python
 * package itself is in test/integration/django.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from '@msgpack/msgpack';
import { ChannelFullError } from '../../../src/errors.js';
import {
  createChannelsRedisLayer,
  createChannelsRedisPubSubLayer,
  type ChannelsRedisChannelLayer,
  type ChannelsRedisLayerOptions,
} from '../../../src/layer/index.js';
import { channelLayerContract } from '../../contract/channel-layer.js';
import { collect, expectOnlyMarker } from '../../contract/layer-helpers.js';
import { waitUntil } from '../../support/time.js';
import { rawClient, REDIS_URL, redisSkipReason, trackedPrefixes } from '../../support/services/redis.js';

const skip = await redisSkipReason();
const { inspector, newPrefix } = trackedPrefixes(skip);

async function openCore(t: TestContext, options: Partial<ChannelsRedisLayerOptions> = {}): Promise<ChannelsRedisChannelLayer> {
  const layer = await createChannelsRedisLayer({ url: REDIS_URL, prefix: options.prefix ?? newPrefix(), ...options });
  t.after(() => layer.close());
  return layer;
}

describe('channels_redis core layer', { skip }, () => {
  channelLayerContract('channels-redis', (options) => createChannelsRedisLayer({ url: REDIS_URL, prefix: newPrefix(), ...options }));

  it('names channels as channels_redis does and defaults the prefix to asgi', async (t) => {
    const layer = await createChannelsRedisLayer({ url: REDIS_URL });
    t.after(() => layer.close());
    assert.match(layer.client, /^[0-9a-f]{32}$/);
    assert.match(layer.newChannel(), new RegExp(`^specific\\.${layer.client}![0-9a-f]{32}$`));
  });

  it('writes the keys channels_redis reads: group sorted set, per-process sorted set, prefixed msgpack', async (t) => {
    const prefix = newPrefix();
    const a = await openCore(t, { prefix });
    const b = await openCore(t, { prefix });
    const ch = b.newChannel();
    await a.groupAdd('room', ch);
    const members = await inspector!.zrange(`${prefix}:group:room`, 0, -1, 'WITHSCORES');
    assert.equal(members[0], ch);
    assert.ok(Math.abs(Number(members[1]) - Date.now() / 1000) < 5, 'scored by time in seconds');
    assert.ok((await inspector!.ttl(`${prefix}:group:room`)) > 86_000);
    // Stop b popping: read what a group send writes to b's process key.
    await b.close();
    await a.groupSend('room', { type: 'hello', n: 1 });
    const raw = await inspector!.zrangeBuffer(`${prefix}specific.${b.client}!`, 0, -1);
    assert.equal(raw.length, 1);
    assert.deepEqual(decode(raw[0]!.subarray(12)), { type: 'hello', n: 1, __asgi_channel__: [ch] });
  });

  it('send and groupSend cross processes; one process key holds every channel of a process', async (t) => {
    const prefix = newPrefix();
    const a = await openCore(t, { prefix });
    const b = await openCore(t, { prefix });
    const [c1, c2] = [b.newChannel(), b.newChannel()];
    const [i1, i2] = [collect(b, c1), collect(b, c2)];
    await a.send(c1, { type: 'direct', n: 1 });
    assert.deepEqual(await i1.next(), { type: 'direct', n: 1 });
    await a.groupAdd('g', c1);
    await b.groupAdd('g', c2);
    await a.groupSend('g', { type: 'broadcast' });
    const [m1, m2] = [await i1.next(), await i2.next()];
    assert.equal(m1, m2, 'one decode for both members');
    assert.deepEqual(m1, { type: 'broadcast' });
    await expectOnlyMarker(b, c1, i1);
  });

  it('a remote send at capacity of the process key throws ChannelFullError', async (t) => {
    const prefix = newPrefix();
    const a = await openCore(t, { prefix, capacity: 2 });
    const b = await openCore(t, { prefix });
    const ch = b.newChannel();
    await b.close(); // nobody pops
    await a.send(ch, { type: 'x' });
    await a.send(ch, { type: 'x' });
    await assert.rejects(a.send(ch, { type: 'x' }), ChannelFullError);
    await a.groupAdd('g', ch);
    await a.groupSend('g', { type: 'x' });
    assert.equal(a.stats.droppedFull, 1);
  });

  it('sends within one millisecond are scored in send order, so a receiver (Django too) pops them in that order', async (t) => {
    const prefix = newPrefix();
    // A fixed clock: every send sees the same millisecond, the worst case for a score taken from the time.
    const a = await openCore(t, { prefix, capacity: 100, clock: () => 1_790_000_000_000 });
    const b = await openCore(t, { prefix });
    const ch = b.newChannel();
    await b.close(); // nobody pops: read the sorted set as Django's ZPOPMIN would
    for (let n = 0; n < 30; n++) await a.send(ch, { type: 'x', n });
    await a.groupAdd('g', ch);
    await a.groupSend('g', { type: 'x', n: 30 });
    const raw = await inspector!.zrangeBuffer(`${prefix}specific.${b.client}!`, 0, -1);
    assert.deepEqual(raw.map((m) => (decode(m.subarray(12)) as { n: number }).n), Array.from({ length: 31 }, (_, n) => n));
  });

  it('a channel with a new prefix is received at once, even while the receiver is blocked on the others', async (t) => {
    const prefix = newPrefix();
    const a = await openCore(t, { prefix });
    const b = await openCore(t, { prefix });
    const first = b.newChannel();
    const firstInbox = collect(b, first);
    await a.send(first, { type: 'x' });
    await firstInbox.next(2000);
    await waitUntil(async () => {
      const clients = String(await inspector!.client('LIST')).split('\n');
      return clients.some((c) => c.includes(`name=${prefix}-block-${b.client}`) && c.includes('cmd=bzpopmin'));
    }, 2000, 'b to block in BZPOPMIN');
    const other = b.newChannel('ws.conn');
    const inbox = collect(b, other);
    await a.send(other, { type: 'y' });
    // Well under the 5 s block: the new key was added by unblocking the pop, not by waiting it out.
    assert.deepEqual(await inbox.next(2000), { type: 'y' });
  });

  it('rejects a message carrying the reserved __asgi_channel__ key', async (t) => {
    const layer = await openCore(t);
    await assert.rejects(layer.send(layer.newChannel(), { type: 'x', __asgi_channel__: 'y' }), TypeError);
    await assert.rejects(layer.groupSend('g', { type: 'x', __asgi_channel__: 'y' }), TypeError);
  });
});

describe('channels_redis pub/sub layer', { skip }, () => {
  channelLayerContract('channels-redis-pubsub', (options) => createChannelsRedisPubSubLayer({ url: REDIS_URL, prefix: newPrefix(), ...options }));

  it('crosses processes: send on the channel name, groupSend on <prefix>__group__<group>, bare msgpack', async (t) => {
    const prefix = newPrefix();
    const a = await createChannelsRedisPubSubLayer({ url: REDIS_URL, prefix });
    const b = await createChannelsRedisPubSubLayer({ url: REDIS_URL, prefix });
    t.after(() => Promise.all([a.close(), b.close()]));
    const spy = rawClient();
    t.after(() => spy.disconnect());
    const seen: Array<[string, unknown]> = [];
    spy.on('messageBuffer', (topic: Buffer, payload: Buffer) => seen.push([topic.toString(), decode(payload)]));
    await spy.subscribe(`${prefix}__group__g`);
    const ch = b.newChannel();
    const inbox = collect(b, ch);
    await b.groupAdd('g', ch);
    await a.send(ch, { type: 'direct' });
    assert.deepEqual(await inbox.next(), { type: 'direct' });
    await a.groupSend('g', { type: 'broadcast', n: 2 });
    assert.deepEqual(await inbox.next(), { type: 'broadcast', n: 2 });
    await waitUntil(() => seen.length > 0, 2000, 'the spy to see the broadcast');
    assert.deepEqual(seen, [[`${prefix}__group__g`, { type: 'broadcast', n: 2 }]]);
    await assert.rejects(a.groupAdd('g', ch), TypeError);
  });
});
