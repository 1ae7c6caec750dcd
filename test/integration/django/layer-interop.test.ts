/**
 * Tidings' channels_redis layers and the real Python package, sharing one Redis: Django's `group_send` and
 * `send` reach Tidings channels, Tidings' reach Django channels, in mixed groups, and group membership and
 * expiry behave as Channels documents them. Each test has its own key prefix.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelFullError } from '../../../src/errors.js';
import { createChannelsRedisLayer, createChannelsRedisPubSubLayer, type ChannelLayer } from '../../../src/layer/index.js';
import { Collector, collect, expectOnlyMarker } from '../../contract/layer-helpers.js';
import { REDIS_URL, redisSkipReason, trackedPrefixes } from '../../support/services/redis.js';
import { djangoSkipReason, LayerPeer } from '../../support/services/django.js';
import { waitUntil } from '../../support/time.js';

const skip = (await redisSkipReason()) ?? djangoSkipReason();
const { inspector, newPrefix } = trackedPrefixes(skip);

/** A message with the value types a Django app sends (msgpack round trip both ways). */
const INFORM = { type: 'web_update_inform', func: 'comment', username: 'alice', article: '评论 Channels', head_image: '/a.png', trigger_username: null, n: 3, ratio: 0.5, tags: ['a', 'b'], nested: { ok: true } };

for (const backend of ['core', 'pubsub'] as const) {
  describe(`Django ${backend} layer <-> Tidings channels-redis${backend === 'pubsub' ? '-pubsub' : ''} layer`, { skip }, () => {
    const prefix = newPrefix();
    let django: LayerPeer;
    let tidings: ChannelLayer;
    before(async () => {
      django = await LayerPeer.start({ redisUrl: REDIS_URL, prefix, backend });
      const make = backend === 'core' ? createChannelsRedisLayer : createChannelsRedisPubSubLayer;
      tidings = await make({ url: REDIS_URL, prefix });
    });
    after(async () => {
      await tidings?.close();
      await django?.stop();
    });

    it('Django group_send reaches a Tidings channel in the group, the message intact', async () => {
      const ch = tidings.newChannel();
      const inbox = collect(tidings, ch);
      await tidings.groupAdd('yunbo_inform', ch);
      await django.call({ op: 'group_send', group: 'yunbo_inform', message: INFORM });
      assert.deepEqual(await inbox.next(5000), INFORM);
      await tidings.groupDiscard('yunbo_inform', ch);
    });

    it('Tidings groupSend reaches a Django channel in the group', async () => {
      const ch = await django.newChannel();
      await django.call({ op: 'group_add', group: 'room', channel: ch });
      await tidings.groupSend('room', INFORM);
      assert.deepEqual(await django.receive(ch), INFORM);
      await django.call({ op: 'group_discard', group: 'room', channel: ch });
    });

    it('send to a stored channel_name works both ways', async () => {
      const tidingsChannel = tidings.newChannel();
      const inbox = collect(tidings, tidingsChannel);
      const djangoChannel = await django.newChannel();
      await django.call({ op: 'send', channel: tidingsChannel, message: { type: 'chat.message', text: 'from django' } });
      assert.deepEqual(await inbox.next(5000), { type: 'chat.message', text: 'from django' });
      await tidings.send(djangoChannel, { type: 'chat.message', text: 'from tidings' });
      assert.deepEqual(await django.receive(djangoChannel), { type: 'chat.message', text: 'from tidings' });
    });

    it('a mixed group: a send from either side reaches members on both; a discarded member gets nothing', async () => {
      const djangoMember = await django.newChannel();
      const tidingsMember = tidings.newChannel();
      const gone = tidings.newChannel();
      const inbox = collect(tidings, tidingsMember);
      const goneInbox = collect(tidings, gone);
      await django.call({ op: 'group_add', group: 'mixed', channel: djangoMember });
      await tidings.groupAdd('mixed', tidingsMember);
      await tidings.groupAdd('mixed', gone);
      await tidings.groupDiscard('mixed', gone);
      await django.call({ op: 'group_send', group: 'mixed', message: { type: 'm', from: 'django' } });
      await tidings.groupSend('mixed', { type: 'm', from: 'tidings' });
      assert.deepEqual((await inbox.take(2, 5000)).map((m) => m.from).sort(), ['django', 'tidings']);
      assert.deepEqual([(await django.receive(djangoMember)).from, (await django.receive(djangoMember)).from].sort(), ['django', 'tidings']);
      await expectOnlyMarker(tidings, gone, goneInbox);
    });
  });
}

describe('Channels semantics across Django and Tidings (core layer)', { skip }, () => {
  async function pair(t: TestContext, extra: Record<string, string> = {}, capacity?: number) {
    const prefix = newPrefix();
    const django = await LayerPeer.start({ redisUrl: REDIS_URL, prefix, extra });
    const tidings = await createChannelsRedisLayer({ url: REDIS_URL, prefix, ...(capacity ? { capacity } : {}) });
    t.after(async () => {
      await tidings.close();
      await django.stop();
    });
    return { prefix, django, tidings };
  }

  it('Django drops a Tidings membership older than group_expiry, and Tidings drops a Django one', async (t) => {
    const { prefix, django, tidings } = await pair(t);
    // Nobody receives `stale` (its consumer went away): Tidings renews only the memberships of open sockets.
    const stale = tidings.newChannel();
    const fresh = tidings.newChannel();
    const freshInbox = collect(tidings, fresh);
    await tidings.groupAdd('g', stale);
    await tidings.groupAdd('g', fresh);
    const djangoStale = await django.newChannel();
    await django.call({ op: 'group_add', group: 'g', channel: djangoStale });
    // As if they had joined a day and a minute ago (group_expiry is 86400 s on both sides).
    const longAgo = Date.now() / 1000 - 86_460;
    await inspector!.zadd(`${prefix}:group:g`, longAgo, stale, longAgo, djangoStale);
    await django.call({ op: 'group_send', group: 'g', message: { type: 'x', n: 1 } });
    assert.equal((await freshInbox.next(5000)).n, 1);
    const staleInbox = new Collector();
    const stopStale = tidings.receive(stale, staleInbox.handler);
    await expectOnlyMarker(tidings, stale, staleInbox);
    stopStale();
    assert.deepEqual(await inspector!.zrange(`${prefix}:group:g`, 0, -1), [fresh], 'Django removed both expired members');
    await django.call({ op: 'group_add', group: 'g', channel: djangoStale });
    await inspector!.zadd(`${prefix}:group:g`, longAgo, djangoStale);
    await tidings.groupSend('g', { type: 'x', n: 2 });
    assert.equal((await freshInbox.next(5000)).n, 2);
    assert.equal(await django.receivesNothing(djangoStale), true);
    assert.deepEqual(await inspector!.zrange(`${prefix}:group:g`, 0, -1), [fresh], 'Tidings removed the expired member');
  });

  it('group_add renews: a membership re-added by Django after it expired receives again', async (t) => {
    const { prefix, django, tidings } = await pair(t);
    const ch = tidings.newChannel();
    const inbox = collect(tidings, ch);
    await tidings.groupAdd('g', ch);
    await inspector!.zadd(`${prefix}:group:g`, Date.now() / 1000 - 90_000, ch);
    await django.call({ op: 'group_add', group: 'g', channel: ch });
    await django.call({ op: 'group_send', group: 'g', message: { type: 'x' } });
    assert.deepEqual(await inbox.next(5000), { type: 'x' });
  });

  it('capacity: Tidings gets ChannelFullError from a Django channel nobody reads; Django skips it in group_send', async (t) => {
    const { prefix, django, tidings } = await pair(t, {}, 2);
    const ch = await django.newChannel();
    await tidings.send(ch, { type: 'x', n: 1 });
    await tidings.send(ch, { type: 'x', n: 2 });
    await assert.rejects(tidings.send(ch, { type: 'x', n: 3 }), ChannelFullError);
    assert.equal((await django.receive(ch)).n, 1, 'oldest first');
    const key = `${prefix}specific.${ch.slice(ch.indexOf('.') + 1, ch.indexOf('!'))}!`;
    assert.equal(await inspector!.zcard(key), 1);
  });

  it('Django raises ChannelFull for a Tidings process key at capacity (when the Tidings process is gone)', async (t) => {
    const { django, tidings } = await pair(t, { CHANNELS_CAPACITY: '2' });
    const ch = tidings.newChannel();
    await tidings.close();
    assert.deepEqual(await django.call({ op: 'send', channel: ch, message: { type: 'x' } }), { ok: true });
    assert.deepEqual(await django.call({ op: 'send', channel: ch, message: { type: 'x' } }), { ok: true });
    assert.deepEqual(await django.call({ op: 'send', channel: ch, message: { type: 'x' } }), { error: 'ChannelFull' });
  });

  it('a message that waited longer than expiry is dropped by the Tidings receiver, and counted', async (t) => {
    const { prefix, tidings } = await pair(t);
    const ch = tidings.newChannel();
    // A member as Django writes it, but scored two minutes ago (expiry is 60 s).
    const { encode } = await import('@msgpack/msgpack');
    const member = Buffer.concat([Buffer.alloc(12, 7), Buffer.from(encode({ type: 'old', __asgi_channel__: ch }))]);
    const inbox = collect(tidings, ch);
    await inspector!.zadd(`${prefix}specific.${tidings.client}!`, Date.now() / 1000 - 120, member);
    await expectOnlyMarker(tidings, ch, inbox);
    // The receiver pops it in its own time: wait for the counter rather than sleeping.
    await waitUntil(() => tidings.stats.droppedExpired === 1, 5000, 'the expired message to be counted');
    assert.equal(inbox.pending, 0);
  });
});
