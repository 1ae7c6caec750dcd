import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ID_LENGTH, newId } from '../../../src/inbox/ids.js';

it('makes 26-character Crockford base32 ids', () => {
  const id = newId();
  assert.equal(id.length, ID_LENGTH);
  assert.equal(ID_LENGTH, 26);
  assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
});

it('sorts ids by their creation millisecond', () => {
  const times = [0, 1, 31, 32, 1_700_000_000_000, 1_700_000_000_001, 2 ** 48 - 1];
  const ids = times.map((t) => newId(t));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(newId(0).slice(0, 10), '0000000000');
  assert.equal(newId(2 ** 48 - 1).slice(0, 10), '7ZZZZZZZZZ');
});

it('never repeats an id, even within one millisecond', () => {
  const ids = new Set(Array.from({ length: 100_000 }, () => newId(1_700_000_000_000)));
  assert.equal(ids.size, 100_000);
});
