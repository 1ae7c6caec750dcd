import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode } from '@msgpack/msgpack';
import { TidingsError } from '../../../../src/errors.js';
import {
  ChannelsRedisChannelLayer,
  ChannelsRedisPubSubChannelLayer,
  createChannelLayer,
} from '../../../../src/layer/index.js';
import {
  ChannelsRedisCodec,
  ChannelsRedisKeys,
  newSpecificChannel,
  nonLocalName,
  splitDestination,
} from '../../../../src/layer/channels-redis/wire.js';

describe('channels_redis wire format', () => {
  it('names and keys as channels_redis 4.0 builds them', () => {
    const name = newSpecificChannel('specific', 'abc123');
    assert.match(name, /^specific\.abc123![0-9a-f]{32}$/);
    assert.equal(nonLocalName(name), 'specific.abc123!');
    assert.equal(nonLocalName('thumbnails'), 'thumbnails');
    const keys = new ChannelsRedisKeys('asgi');
    assert.equal(keys.channelKey(name), 'asgispecific.abc123!');
    assert.equal(keys.groupKey('yunbo_inform'), 'asgi:group:yunbo_inform');
    assert.equal(keys.groupTopic('yunbo_inform'), 'asgi__group__yunbo_inform');
    assert.throws(() => newSpecificChannel('a!b', 'abc'), TypeError);
  });

  it('a core member is 12 random bytes and a msgpack map; identical messages differ', () => {
    const codec = new ChannelsRedisCodec(1024);
    const a = codec.packMember({ type: 't', x: 1.5 });
    const b = codec.packMember({ type: 't', x: 1.5 });
    assert.notDeepEqual(a.subarray(0, 12), b.subarray(0, 12));
    assert.deepEqual(decode(a.subarray(12)), { type: 't', x: 1.5 });
    assert.deepEqual(codec.unpackMember(a), { type: 't', x: 1.5 });
  });

  it('splits __asgi_channel__ (a name for send, a list for group_send) from the message', () => {
    assert.deepEqual(splitDestination({ type: 't', __asgi_channel__: 'c!1' }), { channels: ['c!1'], message: { type: 't' } });
    assert.deepEqual(splitDestination({ type: 't', __asgi_channel__: ['c!1', 'c!2'] }).channels, ['c!1', 'c!2']);
    assert.throws(() => splitDestination({ type: 't' }), /__asgi_channel__/);
    assert.throws(() => splitDestination({ type: 't', __asgi_channel__: [1] }), /__asgi_channel__/);
  });

  it('refuses what is not a msgpack map with a type, and messages over the size limit', () => {
    const codec = new ChannelsRedisCodec(64);
    assert.throws(() => codec.unpack(encode([1, 2])), TypeError);
    assert.throws(() => codec.unpack(encode({ n: 1 })), TypeError);
    assert.throws(() => codec.unpackMember(Buffer.alloc(5)), TypeError);
    assert.throws(
      () => codec.pack({ type: 't', big: 'x'.repeat(100) }),
      (err: unknown) => err instanceof TidingsError && err.code === 'MESSAGE_TOO_LARGE',
    );
    assert.throws(() => new ChannelsRedisCodec(10), (err: unknown) => err instanceof TidingsError && err.code === 'CONFIG_INVALID');
  });
});

describe('createChannelLayer kinds', () => {
  for (const [kind, type] of [
    ['channels-redis', ChannelsRedisChannelLayer],
    ['channels-redis-pubsub', ChannelsRedisPubSubChannelLayer],
  ] as const) {
    it(`${kind}: a ${type.name}, degraded when Redis is unreachable and optional`, async (t) => {
      const layer = await createChannelLayer({ kind, redisUrl: 'redis://127.0.0.1:1', redisOptional: true, redis: { connectTimeoutMs: 200 } });
      t.after(() => layer.close());
      assert.ok(layer instanceof type);
      assert.equal(layer.state, 'degraded');
    });
  }

  it('a Redis kind without a URL is a configuration error', async () => {
    await assert.rejects(createChannelLayer({ kind: 'channels-redis' }), (err: unknown) => err instanceof TidingsError && err.code === 'CONFIG_INVALID');
  });
});
