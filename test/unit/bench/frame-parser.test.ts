import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeCodeOf, encodeClientFrame, FrameParser, Opcode } from '../../../bench/load/frame-parser.js';

/** A server frame (unmasked) with `payload`, using the 7-, 16- or 64-bit length form as needed. */
function serverFrame(opcode: number, payload: Buffer, forceLong = false): Buffer {
  let header: Buffer;
  if (payload.length < 126 && !forceLong) {
    header = Buffer.from([0x80 | opcode, payload.length]);
  } else if (payload.length < 65_536 && !forceLong) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([header, payload]);
}

function collect(capture: boolean) {
  const deliveries: Array<string | undefined> = [];
  const controls: Array<[number, Buffer]> = [];
  const parser = new FrameParser(
    { needles: [Buffer.from('"type":"broadcast"')], capture },
    { onDelivery: (p) => deliveries.push(p?.toString()), onControl: (op, p) => controls.push([op, p]) },
  );
  return { parser, deliveries, controls };
}

const broadcast = Buffer.from(JSON.stringify({ type: 'broadcast', id: 'x', data: { t: 1 } }));
const hello = Buffer.from(JSON.stringify({ type: 'hello', user: 'u' }));

test('counts only text frames whose start matches a needle', () => {
  const { parser, deliveries } = collect(false);
  parser.push(Buffer.concat([serverFrame(Opcode.TEXT, hello), serverFrame(Opcode.TEXT, broadcast), serverFrame(Opcode.BINARY, broadcast)]));
  assert.equal(parser.frames, 3);
  assert.deepEqual(deliveries, [undefined]);
});

test('handles frames split at every byte, with 16- and 64-bit lengths', () => {
  const big = Buffer.from(JSON.stringify({ type: 'broadcast', pad: 'y'.repeat(70_000) }));
  const stream = Buffer.concat([serverFrame(Opcode.TEXT, broadcast, true), serverFrame(Opcode.TEXT, big), serverFrame(Opcode.TEXT, broadcast.subarray(0, 0))]);
  const { parser, deliveries } = collect(true);
  for (let i = 0; i < stream.length; i += 7) parser.push(stream.subarray(i, i + 7));
  assert.equal(parser.frames, 3);
  assert.deepEqual(deliveries, [broadcast.toString(), big.toString()]);
});

test('captured payloads survive reuse of the read buffer', () => {
  const { parser, deliveries } = collect(true);
  const frame = serverFrame(Opcode.TEXT, broadcast);
  const shared = Buffer.from(frame);
  parser.push(shared.subarray(0, 10));
  shared.fill(0, 0, 10);
  parser.push(shared.subarray(10));
  assert.equal(deliveries[0], broadcast.toString());
});

test('passes control frames whole, with the close code', () => {
  const { parser, controls } = collect(false);
  const close = Buffer.alloc(2);
  close.writeUInt16BE(4002);
  parser.push(Buffer.concat([serverFrame(Opcode.PING, Buffer.from('hi')), serverFrame(Opcode.CLOSE, close)]));
  assert.deepEqual(controls.map(([op]) => op), [Opcode.PING, Opcode.CLOSE]);
  assert.equal(controls[0]?.[1].toString(), 'hi');
  assert.equal(closeCodeOf(controls[1]?.[1] ?? Buffer.alloc(0)), 4002);
  assert.equal(closeCodeOf(Buffer.alloc(0)), 1005);
});

test('rejects a masked frame from a server', () => {
  const { parser } = collect(false);
  assert.throws(() => parser.push(Buffer.from([0x81, 0x82, 1, 2, 3, 4, 5, 6])), /masked/);
});

test('client frames are masked and decode back to the payload', () => {
  const key = Buffer.from([1, 2, 3, 4]);
  const frame = encodeClientFrame(Opcode.PONG, Buffer.from('abc'), key);
  assert.equal(frame[0], 0x80 | Opcode.PONG);
  assert.equal(frame[1], 0x80 | 3);
  const unmasked = Buffer.from(frame.subarray(6).map((b, i) => b ^ (key[i % 4] ?? 0)));
  assert.equal(unmasked.toString(), 'abc');
  assert.throws(() => encodeClientFrame(Opcode.PING, Buffer.alloc(126), key), RangeError);
});
