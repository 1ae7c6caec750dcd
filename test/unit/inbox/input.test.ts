import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isTidingsError } from '../../../src/errors.js';
import { checkSince, listBounds, prepareNotification, readIds } from '../../../src/inbox/input.js';

function fieldOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    assert.ok(isTidingsError(err) && err.code === 'INVALID_BODY', String(err));
    return (err.details as { field: string }).field;
  }
  assert.fail('expected INVALID_BODY');
}

it('encodes a valid notification', () => {
  assert.deepEqual(prepareNotification({ userId: 'u', kind: 'k', data: { a: [1] }, dedupeKey: 'd' }), {
    userId: 'u',
    kind: 'k',
    json: '{"a":[1]}',
    dedupeKey: 'd',
  });
  assert.equal(prepareNotification({ userId: 'u', kind: 'k', data: {} }).dedupeKey, null);
});

it('names the invalid field', () => {
  assert.equal(fieldOf(() => prepareNotification({ userId: '\ud800', kind: 'k', data: {} })), 'userId');
  assert.equal(fieldOf(() => prepareNotification({ userId: 'u', kind: 7 as unknown as string, data: {} })), 'kind');
  assert.equal(fieldOf(() => prepareNotification({ userId: 'u', kind: 'k', data: new Date() as never })), 'data');
  assert.equal(fieldOf(() => prepareNotification({ userId: 'u', kind: 'k', data: { n: 1n } })), 'data');
  assert.equal(fieldOf(() => prepareNotification({ userId: 'u', kind: 'k', data: {}, dedupeKey: 'x'.repeat(257) })), 'dedupeKey');
  assert.equal(fieldOf(() => prepareNotification(null as never)), 'notification');
});

it('accepts paired surrogates in identifiers', () => {
  assert.equal(prepareNotification({ userId: 'user-😀', kind: 'k', data: {} }).userId, 'user-😀');
});

it('normalises list queries', () => {
  assert.deepEqual(listBounds(), { unreadOnly: false, limit: 20, before: Number.MAX_SAFE_INTEGER });
  assert.equal(listBounds({ limit: 0 }).limit, 1);
  assert.equal(listBounds({ limit: 500 }).limit, 100);
  assert.equal(listBounds({ limit: 7.9 }).limit, 7);
  assert.equal(listBounds({ limit: Number.NaN }).limit, 20);
  assert.equal(fieldOf(() => listBounds({ before: 1.5 })), 'before');
});

it('checks since arguments and read ids', () => {
  assert.doesNotThrow(() => checkSince(0, 1000));
  assert.throws(() => checkSince(-1, 1), (err: unknown) => isTidingsError(err) && err.code === 'BAD_CURSOR');
  assert.equal(fieldOf(() => checkSince(0, 1001)), 'limit');
  assert.deepEqual(readIds(['a', 'b', 'a', 'x\u0000']), ['a', 'b']);
  assert.equal(fieldOf(() => readIds(['a', 1 as unknown as string])), 'ids');
  assert.equal(fieldOf(() => readIds('a' as unknown as string[])), 'ids');
});
