/**
 * The channels_redis layers under faults, each test against its own PRIVATE redis-server (started as a child,
 * stopped by pid; the shared Redis is never touched).
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { TidingsError } from '../../../src/errors.js';
import { createChannelsRedisLayer, createChannelsRedisPubSubLayer } from '../../../src/layer/index.js';
import { statesSeen, twoMembers } from '../../contract/layer-helpers.js';
import { within } from '../../support/time.js';
import { freePort } from '../../support/ports.js';
import { PrivateRedis, rawClient, redisServerSkipReason } from '../../support/services/redis.js';

const skip = redisServerSkipReason();

const isUnavailable = (err: unknown) => err instanceof TidingsError && err.code === 'LAYER_UNAVAILABLE';

for (const [name, make] of [
  ['channels-redis', createChannelsRedisLayer],
  ['channels-redis-pubsub', createChannelsRedisPubSubLayer],
] as const) {
  describe(`${name} layer faults`, { skip }, () => {
    async function setup(t: TestContext) {
      const redis = new PrivateRedis(await freePort());
      await redis.start();
      t.after(() => redis.stop());
      const [a, b] = [await make({ url: redis.url }), await make({ url: redis.url })];
      t.after(() => Promise.all([a.close(), b.close()]));
      return { redis, a, b };
    }

    it('a Redis restart: degraded, sends fail fast, then ready; groups and channels work again', async (t) => {
      const { redis, a, b } = await setup(t);
      const { ca, cb, ia, ib } = await twoMembers(a, b);
      const degraded = Promise.all([statesSeen(a, ['degraded']), statesSeen(b, ['degraded'])]);
      const recovered = Promise.all([statesSeen(a, ['degraded', 'ready']), statesSeen(b, ['degraded', 'ready'])]);
      await redis.stop();
      await within(degraded, 3000, 'degraded state');
      const started = Date.now();
      await assert.rejects(a.groupSend('g', { type: 'x' }), isUnavailable);
      await assert.rejects(a.send(cb, { type: 'x' }), isUnavailable);
      assert.ok(Date.now() - started < 1000, 'failed fast');
      assert.equal((await ia.next()).type, 'x', "the sender's own member still receives");

      await redis.start(); // empty: memberships must come back from the processes that hold them
      await within(recovered, 6000, 'recovery to ready');
      await a.groupSend('g', { type: 'after-restart' });
      assert.equal((await ib.next(6000)).type, 'after-restart', 'the remote member got nothing during the outage');
      assert.equal((await ia.next(6000)).type, 'after-restart');
      await b.send(ca, { type: 'direct' });
      assert.equal((await ia.next(6000)).type, 'direct');
      if (name === 'channels-redis') {
        const inspector = rawClient(redis.url);
        t.after(() => inspector.disconnect());
        assert.equal(await inspector.zcard('asgi:group:g'), 2, 'both memberships restored');
      }
    });
  });
}
