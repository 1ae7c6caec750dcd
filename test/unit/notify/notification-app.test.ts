import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UserSlots } from '../../../src/notify/notification-app.js';

describe('UserSlots (the per-user connection count)', () => {
  it('gives a user at most `limit` slots; a release frees one, once however often it runs', () => {
    const slots = new UserSlots(2);
    const a = slots.take('alice');
    const b = slots.take('alice');
    assert.ok(a && b);
    assert.equal(slots.take('alice'), undefined, 'at the limit');
    assert.ok(slots.take('bob'), 'another user is counted apart');
    a();
    a();
    const c = slots.take('alice');
    assert.ok(c, 'one slot came back');
    assert.equal(slots.take('alice'), undefined, 'the second release of the same slot freed nothing');
    b();
    c();
    assert.equal(slots.users, 1, 'a user with no connection is forgotten (bob remains)');
  });
});
