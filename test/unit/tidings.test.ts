/**
 * `resolveConfig` (createTidings' configuration from `settings`): the built-in development secrets never
 * survive where `loadConfig` would not have filled them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEV_API_KEY, DEV_JWT_SECRET, loadConfig } from '../../src/config/index.js';
import { resolveConfig } from '../../src/tidings.js';

describe('resolveConfig', () => {
  it('settings alone never use the public development secrets, nor the demo', () => {
    const c = resolveConfig({ settings: {} });
    assert.equal(c.jwtSecret, undefined);
    assert.equal(c.apiKey, undefined);
    assert.equal(c.devSecrets, false);
    assert.equal(c.demo, false);
    const own = resolveConfig({ settings: { jwtSecret: 's'.repeat(32), apiKey: 'k'.repeat(32) } });
    assert.equal(own.demo, false, 'no demo signing tokens with a real secret');
  });

  it('env "development" given explicitly takes the development secrets and the demo (and says so)', () => {
    const c = resolveConfig({ settings: { env: 'development' } });
    assert.equal(c.jwtSecret, DEV_JWT_SECRET);
    assert.equal(c.apiKey, DEV_API_KEY);
    assert.equal(c.devSecrets, true);
    assert.equal(c.demo, true);
  });

  it('the CLI configuration turns the demo on only with the development secret, or when asked', () => {
    assert.equal(loadConfig({ env: {} }).demo, true);
    assert.equal(loadConfig({ env: { TIDINGS_JWT_SECRET: 's'.repeat(32) } }).demo, false);
    assert.equal(loadConfig({ env: { TIDINGS_JWT_SECRET: 's'.repeat(32), TIDINGS_DEMO: '1' } }).demo, true);
  });

  it('a public key or JWKS URL in settings drops the development HS256 secret', () => {
    assert.equal(resolveConfig({ settings: { env: 'development', jwtPublicKey: '-----BEGIN PUBLIC KEY-----' } }).jwtSecret, undefined);
    assert.equal(resolveConfig({ settings: { env: 'development', jwksUrl: 'https://id.example/jwks.json' } }).jwtSecret, undefined);
    assert.equal(resolveConfig({ settings: { jwtPublicKey: 'pem', jwtSecret: 'explicit-secret' } }).jwtSecret, 'explicit-secret');
  });

  it('production without keys is refused; with them, no development secret remains', () => {
    assert.throws(() => resolveConfig({ settings: { env: 'production' } }), (err: Error & { code?: string }) => err.code === 'CONFIG_INVALID');
    assert.throws(() => resolveConfig({ settings: { env: 'production', jwtSecret: 's'.repeat(32) } }), /apiKey/);
    const c = resolveConfig({ settings: { env: 'production', jwtSecret: 's'.repeat(32), apiKey: 'k'.repeat(32) } });
    assert.equal(c.devSecrets, false);
    assert.equal(resolveConfig({ settings: { env: 'production', jwtPublicKey: 'pem', apiKey: 'k' } }).jwtSecret, undefined);
  });

  it('a complete config is used as given', () => {
    const config = loadConfig({ env: { TIDINGS_PORT: '9' } });
    assert.equal(resolveConfig({ config, settings: { port: 1 } }), config);
  });
});
