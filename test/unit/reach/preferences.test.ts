/** Preferences: precedence (kind > user-wide > default on) and validation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TidingsError } from '../../../src/errors.js';
import { NO_PREFERENCES, allows, parsePreferences, viewOf } from '../../../src/reach/index.js';

test('a kind wins over the user-wide value, which wins over the default (on)', () => {
  const prefs = parsePreferences({ channels: { email: false, push: true }, kinds: { reply: { email: true }, digest: { push: false } } });
  assert.equal(allows(NO_PREFERENCES, 'reply', 'email'), true);
  assert.equal(allows(prefs, 'follow', 'email'), false);
  assert.equal(allows(prefs, 'reply', 'email'), true);
  assert.equal(allows(prefs, 'digest', 'push'), false);
  assert.equal(allows(prefs, 'digest', 'webhook'), true);
  assert.equal(allows(prefs, '__proto__', 'email'), false, 'no prototype lookups');
  assert.deepEqual(viewOf(prefs).channels, { push: true, email: false, webhook: true });
});

test('bad shapes are INVALID_BODY with a path per problem', () => {
  const bad = [null, [], { channels: { sms: true } }, { channels: { push: 'yes' } }, { kinds: { '': {} } }, { kinds: { a: { email: null } } }, { extra: 1 }];
  for (const body of bad) {
    assert.throws(() => parsePreferences(body), (err: unknown) => err instanceof TidingsError && err.code === 'INVALID_BODY' && Array.isArray(err.details), JSON.stringify(body));
  }
  const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, {}]));
  assert.throws(() => parsePreferences({ kinds: many }), /preferences/);
});
