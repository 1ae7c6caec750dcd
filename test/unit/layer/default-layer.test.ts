import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TidingsError } from '../../../src/errors.js';
import {
  createChannelLayer,
  getChannelLayer,
  MemoryChannelLayer,
  RedisChannelLayer,
  setChannelLayer,
} from '../../../src/layer/index.js';
import { collect } from '../../contract/layer-helpers.js';

describe('createChannelLayer / getChannelLayer', () => {
  it('creates a memory layer without a Redis URL, passing the options on', async (t) => {
    const layer = await createChannelLayer({ capacity: 1 });
    t.after(() => layer.close());
    assert.ok(layer instanceof MemoryChannelLayer);
    const ch = layer.newChannel();
    await layer.send(ch, { type: 'x' });
    await assert.rejects(layer.send(ch, { type: 'x' }), /at capacity/);
  });

  it('creates a Redis layer for a Redis URL (optional: starts degraded when unreachable)', async (t) => {
    const config = { redisUrl: 'redis://127.0.0.1:1', redisOptional: true, redis: { connectTimeoutMs: 200 } };
    const layer = await createChannelLayer({ ...config, prefix: 'unit' });
    t.after(() => layer.close());
    assert.ok(layer instanceof RedisChannelLayer);
    assert.equal(layer.state, 'degraded');
  });

  it('fails for an unreachable Redis unless optional', async () => {
    await assert.rejects(
      createChannelLayer({ redisUrl: 'redis://:pw@127.0.0.1:1', redis: { connectTimeoutMs: 300 } }),
      (err: unknown) => err instanceof TidingsError && err.code === 'LAYER_UNAVAILABLE' && /:\*\*\*@127/.test(err.message),
    );
  });

  it('getChannelLayer throws until one is set; setChannelLayer returns the previous one', async (t) => {
    setChannelLayer(undefined);
    assert.throws(() => getChannelLayer(), /no default channel layer/);
    const layer = await createChannelLayer();
    t.after(() => layer.close());
    assert.equal(setChannelLayer(layer), undefined);
    assert.equal(getChannelLayer(), layer);

    // the seed's send_inform: ordinary code with no reference to the layer
    const ch = layer.newChannel();
    const inbox = collect(layer, ch);
    await layer.groupAdd('inform', ch);
    await getChannelLayer().groupSend('inform', { type: 'web_update_inform', text: 'hi' });
    assert.equal((await inbox.next()).text, 'hi');
    assert.equal(setChannelLayer(undefined), layer);
  });
});
