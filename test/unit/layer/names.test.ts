import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  channelNode,
  InvalidNameError,
  MAX_NAME_LENGTH,
  newChannelName,
  validateChannelName,
  validateGroupName,
  validateMessage,
} from '../../../src/layer/index.js';

describe('layer names', () => {
  it('accepts ASCII letters, digits, - _ . under 100 characters', () => {
    for (const name of ['a', 'room.1', 'user_42', 'A-Z.a-z_0-9', 'x'.repeat(MAX_NAME_LENGTH - 1)]) {
      assert.equal(validateGroupName(name), name);
      assert.equal(validateChannelName(name), name);
    }
  });

  it('rejects bad names with an InvalidNameError (a TypeError) naming the value', () => {
    const bad: unknown[] = ['', 'a b', 'room/1', 'é', 'a\n', 'x'.repeat(MAX_NAME_LENGTH), 'a!b', 42, null, undefined];
    for (const name of bad) {
      assert.throws(() => validateGroupName(name), (err: unknown) => {
        assert.ok(err instanceof TypeError && err instanceof InvalidNameError);
        assert.equal((err as InvalidNameError).code, 'INVALID_NAME');
        assert.match(err.message, /^invalid group name /);
        if (typeof name === 'string' && name.length < 50) assert.ok(err.message.includes(JSON.stringify(name)));
        return true;
      });
    }
    assert.throws(() => validateGroupName(7), /invalid group name number/);
  });

  it('allows one ! in channel names only', () => {
    assert.equal(validateChannelName('specific.abc!def'), 'specific.abc!def');
    assert.equal(validateChannelName('specific.abc!'), 'specific.abc!');
    assert.throws(() => validateChannelName('a!b!c'), /invalid channel name "a!b!c"/);
    assert.throws(() => validateChannelName('!x'), TypeError);
    assert.throws(() => validateGroupName('specific.abc!def'), TypeError);
  });

  it('truncates a very long bad value in the message', () => {
    assert.throws(() => validateGroupName('y'.repeat(5000)), (err: Error) => err.message.length < 400);
  });

  it('validates messages: an object with a non-empty string type', () => {
    const ok = { type: 'x', n: 1 };
    assert.equal(validateMessage(ok), ok);
    for (const bad of [null, 'x', 1, [], {}, { type: 1 }, { type: '' }]) {
      assert.throws(() => validateMessage(bad), TypeError, JSON.stringify(bad));
    }
  });

  it('builds unique process-specific names and reads the node back', () => {
    const names = new Set(Array.from({ length: 500 }, () => newChannelName('specific', 'node1')));
    assert.equal(names.size, 500);
    for (const name of names) {
      assert.match(name, /^specific\.node1![A-Za-z0-9_-]{16}$/);
      assert.equal(channelNode(name), 'node1');
    }
    assert.throws(() => newChannelName('a!b', 'node1'), TypeError);
    assert.throws(() => newChannelName('x'.repeat(90), 'node1'), /invalid channel name/);
  });

  it('channelNode: undefined for names without a node', () => {
    assert.equal(channelNode('plain.name'), undefined);
    assert.equal(channelNode('a.b.c!x'), 'c');
    assert.equal(channelNode('abc!x'), 'abc');
    assert.equal(channelNode('a.!x'), undefined);
  });
});
