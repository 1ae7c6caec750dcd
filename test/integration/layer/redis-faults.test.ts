/**
 * RedisChannelLayer under faults, each test against its own PRIVATE redis-server on a free port (started as a
 * child, stopped by pid; the shared Redis is never touched).
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { TidingsError } from '../../../src/errors.js';
import { createRedisChannelLayer, type RedisChannelLayer, type RedisChannelLayerOptions } from '../../../src/layer/index.js';
import { createLogger } from '../../../src/log/index.js';
import { collect, expectOnlyMarker, statesSeen, twoMembers } from '../../contract/layer-helpers.js';
import { waitUntil, within } from '../../support/time.js';
import { freePort } from '../../support/ports.js';
import { PrivateRedis, rawClient, redisServerSkipReason } from '../../support/services/redis.js';

const skip = redisServerSkipReason();

async function privateRedis(t: TestContext): Promise<PrivateRedis> {
  const redis = new PrivateRedis(await freePort());
  await redis.start();
  t.after(() => redis.stop());
  return redis;
}

async function openLayer(t: TestContext, options: RedisChannelLayerOptions): Promise<RedisChannelLayer> {
  const layer = await createRedisChannelLayer({ prefix: 'faults', ...options });
  t.after(() => layer.close());
  return layer;
}

const isUnavailable = (err: unknown) => err instanceof TidingsError && err.code === 'LAYER_UNAVAILABLE';

describe('RedisChannelLayer faults', { skip }, () => {
  it('after a Redis restart, goes degraded -> ready and delivery between processes resumes within 5 s', async (t) => {
    const redis = await privateRedis(t);
    const [a, b] = [await openLayer(t, { url: redis.url }), await openLayer(t, { url: redis.url })];
    const { ia, ib } = await twoMembers(a, b);

    const degraded = Promise.all([statesSeen(a, ['degraded']), statesSeen(b, ['degraded'])]);
    const recovered = Promise.all([statesSeen(a, ['degraded', 'ready']), statesSeen(b, ['degraded', 'ready'])]);
    await redis.stop();
    await within(degraded, 2000, 'degraded state');
    assert.equal(a.state, 'degraded');

    const restartedAt = Date.now();
    await redis.start();
    await within(recovered, 5000, 'recovery to ready');
    await a.groupSend('g', { type: 'after-restart' });
    assert.equal((await ib.next(5000 - (Date.now() - restartedAt))).type, 'after-restart');
    assert.equal((await ia.next()).type, 'after-restart');
    await b.groupSend('g', { type: 'back' });
    assert.equal((await ia.next()).type, 'back');
    assert.ok(Date.now() - restartedAt < 5000, `took ${Date.now() - restartedAt} ms`);

    const inspector = rawClient(redis.url);
    t.after(() => inspector.disconnect());
    await waitUntil(async () => (await inspector.zcard('faults:members:g')) === 2, 2000, 'memberships re-recorded');
  });

  it('while Redis is down, sends fail fast with LAYER_UNAVAILABLE and local members still receive', async (t) => {
    const redis = await privateRedis(t);
    const [a, b] = [await openLayer(t, { url: redis.url }), await openLayer(t, { url: redis.url })];
    const local = a.newChannel();
    const inbox = collect(a, local);
    await a.groupAdd('g', local);
    const remote = b.newChannel();
    const degraded = statesSeen(a, ['degraded']);
    await redis.stop();
    await within(degraded, 2000, 'degraded state');

    const started = Date.now();
    await assert.rejects(a.groupSend('g', { type: 'during-outage' }), isUnavailable);
    await assert.rejects(a.send(remote, { type: 'during-outage' }), isUnavailable);
    await assert.rejects(a.groupAdd('g', remote), isUnavailable);
    assert.ok(Date.now() - started < 1000, `failing took ${Date.now() - started} ms`);
    assert.equal((await inbox.next()).type, 'during-outage');

    const late = a.newChannel(); // local memberships still work while degraded
    const lateInbox = collect(a, late);
    await within(a.groupAdd('g', late), 1000, 'local groupAdd while down');
    await assert.rejects(a.groupSend('g', { type: 'local-only' }), isUnavailable);
    assert.equal((await lateInbox.next()).type, 'local-only');
    assert.equal((await inbox.next()).type, 'local-only');
  });

  it('drops a malformed message published by hand, logs it, and delivers the next good one', async (t) => {
    const redis = await privateRedis(t);
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
    const [a, b] = [await openLayer(t, { url: redis.url, logger }), await openLayer(t, { url: redis.url })];
    const channel = a.newChannel();
    const inbox = collect(a, channel);
    await a.groupAdd('g', channel);
    const hand = rawClient(redis.url);
    t.after(() => hand.disconnect());
    await hand.publish('faults:group:g', 'not json');
    await hand.publish('faults:group:g', '{"o":"someone","m":{"no":"type"}}');
    await hand.publish(`faults:node:${a.node}`, '{"o":"someone","c":"bad name","m":{"type":"x"}}');
    await hand.publish(`faults:node:${a.node}`, '[1,2]');
    await b.groupSend('g', { type: 'good' });
    assert.equal((await inbox.next()).type, 'good');
    await expectOnlyMarker(a, channel, inbox);
    assert.equal(a.stats.droppedMalformed, 4);
    assert.equal(a.state, 'ready');
    const dropped = lines.filter((l) => l.includes('malformed layer message dropped'));
    assert.equal(dropped.length, 4);
    assert.match(dropped[0]!, /not json/);
  });

  it('after CLIENT KILL TYPE pubsub, resubscribes within 2 s', async (t) => {
    const redis = await privateRedis(t);
    const [a, b] = [await openLayer(t, { url: redis.url }), await openLayer(t, { url: redis.url })];
    const { ca, ia, ib } = await twoMembers(a, b);
    const admin = rawClient(redis.url);
    t.after(() => admin.disconnect());

    const resubscribed = Promise.all([statesSeen(a, ['degraded', 'ready']), statesSeen(b, ['degraded', 'ready'])]);
    const killedAt = Date.now();
    assert.equal(await admin.client('KILL', 'TYPE', 'pubsub'), 2);
    await within(resubscribed, 2000, 'resubscription');
    const numsub = (await admin.pubsub('NUMSUB', 'faults:group:g', `faults:node:${a.node}`, `faults:node:${b.node}`)) as Array<string | number>;
    assert.deepEqual(numsub.filter((_, i) => i % 2 === 1).map(Number), [2, 1, 1]);
    await a.groupSend('g', { type: 'after-kill' });
    assert.equal((await ib.next()).type, 'after-kill');
    await b.send(ca, { type: 'direct' });
    assert.equal((await ia.next()).type, 'after-kill');
    assert.equal((await ia.next()).type, 'direct');
    assert.ok(Date.now() - killedAt < 2000, `took ${Date.now() - killedAt} ms`);
  });

  it('an unreachable URL at creation fails within 10 s naming the URL with the password redacted', async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(createRedisChannelLayer({ url: `redis://:s3cret@127.0.0.1:${port}/0` }), (err: unknown) => {
      assert.ok(isUnavailable(err), String(err));
      const message = (err as Error).message;
      assert.match(message, new RegExp(`redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0`));
      assert.doesNotMatch(message, /s3cret/);
      assert.match(message, /ECONNREFUSED/);
      return true;
    });
    assert.ok(Date.now() - started < 10_000);
  });

  it('optional: starts degraded (local delivery only) and becomes ready when Redis comes up', async (t) => {
    const redis = new PrivateRedis(await freePort());
    t.after(() => redis.stop());
    const started = Date.now();
    const layer = await openLayer(t, { url: redis.url, optional: true, connectTimeoutMs: 300 });
    assert.ok(Date.now() - started < 2000);
    assert.equal(layer.state, 'degraded');
    const channel = layer.newChannel();
    const inbox = collect(layer, channel);
    await layer.groupAdd('g', channel);
    await assert.rejects(layer.groupSend('g', { type: 'local' }), isUnavailable);
    assert.equal((await inbox.next()).type, 'local');

    await redis.start();
    await layer.whenReady(5000);
    const other = await openLayer(t, { url: redis.url });
    await other.groupSend('g', { type: 'remote' });
    assert.equal((await inbox.next()).type, 'remote');
  });
});
