import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TidingsError } from '../../../../src/errors.js';
import { MalformedPayloadError, RedisCodec } from '../../../../src/layer/redis/codec.js';

const codec = new RedisCodec('aaaa11112222', 1000);
const other = new RedisCodec('bbbb33334444', 1000);

describe('RedisCodec', () => {
  it('round-trips group, channel and membership payloads', () => {
    const message = { type: 'notification.created', id: 'n1', nested: { a: [1, 2] } };
    assert.deepEqual(other.decode(codec.encodeGroup(message)), { kind: 'group', origin: 'aaaa11112222', message });
    assert.deepEqual(other.decode(codec.encodeChannel('specific.bbbb33334444!x', message)), {
      kind: 'channel',
      origin: 'aaaa11112222',
      channel: 'specific.bbbb33334444!x',
      message,
    });
    assert.deepEqual(other.decode(codec.encodeMembership('discard', 'room', 'specific.b!x')), {
      kind: 'discard',
      origin: 'aaaa11112222',
      group: 'room',
      channel: 'specific.b!x',
    });
  });

  it('recognises its own payloads without parsing, and only those', () => {
    const own = codec.encodeGroup({ type: 'x' });
    assert.ok(codec.isOwn(own));
    assert.ok(!other.isOwn(own));
    assert.ok(!new RedisCodec('aaaa1111').isOwn(own), 'a node id that is a prefix of another must not match');
    assert.ok(!codec.isOwn('{"o":"aaaa11112222"'));
  });

  it('limits the encoded size in UTF-8 bytes, envelope included', () => {
    const envelope = codec.encodeGroup({ type: 'x', t: '' }).length;
    const fits = { type: 'x', t: 'é'.repeat((1000 - envelope) / 2) }; // 2 bytes each
    assert.equal(Buffer.byteLength(codec.encodeGroup(fits)), 1000);
    const over = { type: 'x', t: `${fits.t}a` };
    assert.throws(() => codec.encodeGroup(over), (err: unknown) => {
      assert.ok(err instanceof TidingsError && err.code === 'MESSAGE_TOO_LARGE');
      assert.match(err.message, /1001 bytes; the channel layer accepts at most 1000/);
      return true;
    });
    assert.throws(() => codec.encodeChannel('a!b', { type: 'x', t: 'a'.repeat(5000) }), /at least \d+ bytes/);
  });

  it('refuses messages JSON cannot carry with a TypeError', () => {
    const circular: Record<string, unknown> = { type: 'x' };
    circular.self = circular;
    assert.throws(() => codec.encodeGroup(circular as never), /not JSON-serialisable/);
    assert.throws(() => codec.encodeGroup({ type: 'x', n: 1n }), TypeError);
  });

  it('rejects malformed payloads with a reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['not json', /not JSON/],
      ['[1]', /not an object/],
      ['null', /not an object/],
      ['{"m":{"type":"x"}}', /no origin/],
      ['{"o":"n"}', /type/],
      ['{"o":"n","m":{"type":""}}', /type/],
      ['{"o":"n","c":"bad name","m":{"type":"x"}}', /invalid channel name/],
      ['{"o":"n","op":"add","g":"g"}', /invalid channel name/],
      ['{"o":"n","op":"drop","g":"g","c":"a!b"}', /unknown op/],
    ];
    for (const [payload, reason] of cases) {
      assert.throws(() => codec.decode(payload), (err: unknown) => err instanceof MalformedPayloadError && reason.test(err.message), payload);
    }
  });

  it('validates maxMessageBytes', () => {
    assert.throws(() => new RedisCodec('n', 0), (err: Error & { code?: string }) => err.code === 'CONFIG_INVALID' && /maxMessageBytes/.test(err.message));
    assert.throws(() => new RedisCodec('n', 1.5), /maxMessageBytes must be an integer/);
  });
});
