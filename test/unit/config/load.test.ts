import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, describeConfig, DEV_API_KEY, envName, flagName } from '../../../src/config/index.js';
import { TidingsError } from '../../../src/errors.js';

describe('loadConfig', () => {
  it('has the seed defaults: 127.0.0.1:8006, SQLite, in-memory layer, development', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8006);
    assert.equal(c.databaseUrl, 'sqlite:./data/tidings.db');
    assert.equal(c.redisUrl, undefined);
    assert.equal(c.env, 'development');
    assert.equal(c.demo, true);
    assert.equal(c.apiKey, DEV_API_KEY);
    assert.ok(Object.isFrozen(c));
  });

  it('reads TIDINGS_* variables and lets flags win', () => {
    const c = loadConfig({ env: { TIDINGS_PORT: '9000', TIDINGS_HOST: '0.0.0.0' }, argv: ['--port', '9100', '--proxy-headers', '--allowed-origins=https://a.test, https://b.test'] });
    assert.equal(c.port, 9100);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.proxyHeaders, true);
    assert.deepEqual(c.allowedOrigins, ['https://a.test', 'https://b.test']);
  });

  it('reports every problem at once, each naming its setting', () => {
    const err = catchError(() => loadConfig({ env: { TIDINGS_PORT: 'abc' }, argv: ['--bogus', '--max-payload', '-5'] }));
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.match(err.message, /port \(--port \/ TIDINGS_PORT\)/);
    assert.match(err.message, /unknown option --bogus/);
    assert.match(err.message, /maxPayload/);
  });

  it('production refuses to start without secrets, naming them', () => {
    const err = catchError(() => loadConfig({ env: { TIDINGS_ENV: 'production' } }));
    assert.match(err.message, /TIDINGS_JWT_SECRET/);
    assert.match(err.message, /TIDINGS_API_KEY/);
  });

  it('--workers above 1 needs a Redis URL', () => {
    assert.match(catchError(() => loadConfig({ env: {}, argv: ['--workers', '2'] })).message, /needs a Redis URL/);
    assert.equal(loadConfig({ env: {}, argv: ['--workers', '2', '--redis-url', 'redis://127.0.0.1:6379'] }).workers, 2);
  });

  it('masks secrets when printed', () => {
    const env = { TIDINGS_API_KEY: 'k-123', TIDINGS_JWT_SECRET: 's-456', TIDINGS_DATABASE_URL: 'postgres://app:pw-789@db/x', TIDINGS_REDIS_URL: 'redis://:pw-012@r:6379' };
    const shown = describeConfig(loadConfig({ env }));
    assert.equal(shown.apiKey, '***');
    assert.equal(shown.jwtSecret, '***');
    assert.equal(shown.databaseUrl, 'postgres://app:***@db/x');
    assert.doesNotMatch(JSON.stringify(shown), /k-123|s-456|pw-789|pw-012/);
  });

  it('names variables and flags from setting names', () => {
    assert.equal(envName('redisUrl'), 'TIDINGS_REDIS_URL');
    assert.equal(flagName('maxConnectionsPerIp'), 'max-connections-per-ip');
  });
});

function catchError(fn: () => unknown): TidingsError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TidingsError);
    return err;
  }
  assert.fail('expected an error');
}

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
