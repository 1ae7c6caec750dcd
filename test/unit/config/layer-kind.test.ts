import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/index.js';

describe('configuration: the channel layer kind', () => {
  it('TIDINGS_LAYER picks the layer; unset keeps the old choice and leaves the prefix to the layer', () => {
    const c = loadConfig({ env: { TIDINGS_LAYER: 'channels-redis', TIDINGS_REDIS_URL: 'redis://127.0.0.1:6379' } });
    assert.equal(c.layer, 'channels-redis');
    assert.equal(c.layerPrefix, undefined);
    assert.equal(loadConfig({ env: {} }).layer, undefined);
    assert.equal(loadConfig({ env: { TIDINGS_LAYER_PREFIX: 'asgi2' } }).layerPrefix, 'asgi2');
  });

  it('refuses a Redis layer without a Redis URL, and an unknown kind, naming the setting', () => {
    assert.throws(() => loadConfig({ env: { TIDINGS_LAYER: 'channels-redis-pubsub' } }), /TIDINGS_LAYER.*needs a Redis URL/);
    assert.throws(() => loadConfig({ argv: ['--layer', 'rabbit'] }), /layer \(--layer \/ TIDINGS_LAYER\)/);
  });
});
