import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Slots } from '../../../src/notify/slots.js';

describe('Slots (connections per user, long polls per user and per address)', () => {
  it('gives a key at most `limit`; a release frees one; a key with nothing held is forgotten', () => {
    const slots = new Slots();
    assert.ok(slots.take('alice', 2) && slots.take('alice', 2));
    assert.equal(slots.take('alice', 2), false, 'at the limit');
    assert.ok(slots.take('bob', 2), 'another key is counted apart');
    slots.release('alice');
    assert.ok(slots.take('alice', 2), 'one slot came back');
    assert.equal(slots.take('alice', 2), false);
    slots.release('alice');
    slots.release('alice');
    assert.equal(slots.keys, 1, 'alice holds nothing and is forgotten (bob remains)');
    assert.ok(slots.take('carol', Infinity), 'Infinity: no limit');
  });
});
