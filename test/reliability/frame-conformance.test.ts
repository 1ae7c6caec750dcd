/**
 * Case 1, frame conformance (Autobahn-style) against a server in a child process: every kind of invalid
 * frame gets the right close code (1002 protocol error, 1007 invalid payload, 1009 too big) within 1 s,
 * nothing is logged at error level, and the process keeps serving. Driven twice: by our raw frame builder
 * over `net`, and by python3-autobahn's `WebSocketProtocol.sendFrame` as an independent peer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closePayload, Opcode, type FrameSpec } from '../support/wire/frames.js';
import { RawSocket } from '../support/wire/raw-socket.js';
import { startChildServer, type ChildServer } from '../support/measured-server.js';
import { PYTHON, peerScript, spawnPeer } from './helpers/peers.js';
import { SUITE } from './helpers/suite.js';

const DEADLINE_MS = 1000;

interface Case {
  name: string;
  frames: FrameSpec[];
  code: number;
}

const bytes = (...b: number[]) => Buffer.from(b);
const BAD_CLOSE_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];
const RESERVED_OPCODES = [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf];

const CASES: Case[] = [
  { name: 'ping with a 126-byte payload', frames: [{ opcode: Opcode.PING, payload: Buffer.alloc(126, 0x61) }], code: 1002 },
  { name: 'fragmented ping (FIN clear)', frames: [{ opcode: Opcode.PING, payload: 'a', fin: false }], code: 1002 },
  { name: 'fragmented close (FIN clear)', frames: [{ opcode: Opcode.CLOSE, payload: closePayload(1000), fin: false }], code: 1002 },
  { name: 'RSV1 without permessage-deflate', frames: [{ opcode: Opcode.TEXT, payload: '{}', rsv: 4 }], code: 1002 },
  { name: 'RSV2 set', frames: [{ opcode: Opcode.TEXT, payload: '{}', rsv: 2 }], code: 1002 },
  { name: 'RSV3 set', frames: [{ opcode: Opcode.TEXT, payload: '{}', rsv: 1 }], code: 1002 },
  { name: 'RSV bits on a ping', frames: [{ opcode: Opcode.PING, rsv: 7 }], code: 1002 },
  ...RESERVED_OPCODES.map((op) => ({ name: `reserved opcode 0x${op.toString(16)}`, frames: [{ opcode: op, payload: 'x' }], code: 1002 })),
  { name: 'orphan continuation frame', frames: [{ opcode: Opcode.CONTINUATION, payload: 'x' }], code: 1002 },
  { name: 'orphan final continuation after a complete message', frames: [{ opcode: Opcode.TEXT, payload: '{"type":"ping"}' }, { opcode: Opcode.CONTINUATION, payload: 'x' }], code: 1002 },
  { name: 'new text frame inside a fragmented message', frames: [{ opcode: Opcode.TEXT, payload: '{"a":', fin: false }, { opcode: Opcode.TEXT, payload: '1}' }], code: 1002 },
  { name: 'unmasked text frame', frames: [{ opcode: Opcode.TEXT, payload: '{"type":"ping"}', masked: false }], code: 1002 },
  { name: 'unmasked ping', frames: [{ opcode: Opcode.PING, masked: false }], code: 1002 },
  { name: 'unmasked close', frames: [{ opcode: Opcode.CLOSE, payload: closePayload(1000), masked: false }], code: 1002 },
  { name: 'invalid UTF-8 (0xff)', frames: [{ opcode: Opcode.TEXT, payload: bytes(0x22, 0xff, 0x22) }], code: 1007 },
  { name: 'invalid UTF-8 (UTF-16 surrogate)', frames: [{ opcode: Opcode.TEXT, payload: bytes(0x22, 0xed, 0xa0, 0x80, 0x22) }], code: 1007 },
  { name: 'invalid UTF-8 (overlong encoding)', frames: [{ opcode: Opcode.TEXT, payload: bytes(0x22, 0xc0, 0xaf, 0x22) }], code: 1007 },
  {
    name: 'invalid UTF-8 split across fragments',
    frames: [
      { opcode: Opcode.TEXT, payload: bytes(0x22, 0xf0, 0x90), fin: false },
      { opcode: Opcode.CONTINUATION, payload: bytes(0x28, 0x8c, 0x22) },
    ],
    code: 1007,
  },
  {
    name: 'truncated UTF-8 at the end of a fragmented message',
    frames: [
      { opcode: Opcode.TEXT, payload: '"abc', fin: false },
      { opcode: Opcode.CONTINUATION, payload: bytes(0xe2, 0x82) },
    ],
    code: 1007,
  },
  { name: 'close frame with a 1-byte payload', frames: [{ opcode: Opcode.CLOSE, payload: bytes(0x03) }], code: 1002 },
  { name: 'close frame with a 126-byte payload', frames: [{ opcode: Opcode.CLOSE, payload: closePayload(1000, 'x'.repeat(124)) }], code: 1002 },
  ...BAD_CLOSE_CODES.map((c) => ({ name: `close code ${c}`, frames: [{ opcode: Opcode.CLOSE, payload: closePayload(c) }], code: 1002 })),
  { name: 'close reason that is not UTF-8', frames: [{ opcode: Opcode.CLOSE, payload: closePayload(1000, bytes(0xff, 0xfe)) }], code: 1007 },
  { name: 'binary frame to the text-only endpoint', frames: [{ opcode: Opcode.BINARY, payload: bytes(1, 2, 3) }], code: 1003 },
];

let srv: ChildServer;
const timings: number[] = [];
before(async () => {
  srv = await startChildServer({ maxConnectionsPerUser: 10_000 });
}, SUITE);
after(() => srv?.stop(), SUITE);

const pick = (f: { type?: string; code?: unknown }) => ({ type: f.type, code: f.code });

async function helloSocket(user: string): Promise<RawSocket> {
  const ws = await RawSocket.open(await srv.informUrl(user));
  assert.equal((await ws.nextJson()).type, 'hello');
  return ws;
}

describe('case 1: frame conformance, raw frames over net', SUITE, () => {
  for (const c of CASES) {
    it(`${c.name} -> ${c.code} within ${DEADLINE_MS} ms`, async () => {
      const ws = await helloSocket('conformance');
      try {
        const sentAt = ws.send(...c.frames);
        const closed = await ws.closed(DEADLINE_MS + 500);
        assert.equal(closed.code, c.code, `close code for "${c.name}"`);
        const ms = closed.at - sentAt;
        timings.push(ms);
        assert.ok(ms < DEADLINE_MS, `closed after ${ms.toFixed(1)} ms`);
      } finally {
        ws.destroy();
      }
    });
  }

  it('valid edge cases are not refused: a 125-byte ping, a character split across fragments, close 1000/3000/4999', async () => {
    const ws = await helloSocket('conformance-valid');
    const ping = Buffer.alloc(125, 0x62);
    ws.send({ opcode: Opcode.PING, payload: ping });
    const emoji = Buffer.from('{"type":"ping","x":"\u{1F600}"}');
    const cut = emoji.indexOf(0xf0) + 2;
    ws.send({ opcode: Opcode.TEXT, payload: emoji.subarray(0, cut), fin: false }, { opcode: Opcode.CONTINUATION, payload: Buffer.alloc(0), fin: false }, { opcode: Opcode.CONTINUATION, payload: emoji.subarray(cut) });
    assert.equal((await ws.nextJson()).type, 'pong');
    ws.destroy();
    for (const code of [1000, 3000, 4999]) {
      const c = await helloSocket('conformance-valid');
      c.send({ opcode: Opcode.CLOSE, payload: closePayload(code, 'bye') });
      assert.equal((await c.closed()).code, code, `close ${code} is echoed`);
      c.destroy();
    }
  });

  it('hostile JSON in valid frames gets error frames and the connection stays: 30,000-deep arrays, 60,000 unclosed [', async () => {
    const ws = await helloSocket('conformance-json');
    ws.send({ opcode: Opcode.TEXT, payload: '['.repeat(30_000) + ']'.repeat(30_000) });
    assert.deepEqual(pick(await ws.nextJson()), { type: 'error', code: 'INVALID_FRAME' });
    ws.send({ opcode: Opcode.TEXT, payload: '['.repeat(60_000) });
    assert.deepEqual(pick(await ws.nextJson()), { type: 'error', code: 'BAD_JSON' });
    ws.send({ opcode: Opcode.TEXT, payload: '{"type":"ping"}' });
    assert.equal((await ws.nextJson()).type, 'pong');
    ws.destroy();
  });

  it('more than 10 unusable frames within 10 s -> 4500', async () => {
    const ws = await helloSocket('conformance-json');
    for (let i = 0; i < 11; i++) ws.send({ opcode: Opcode.TEXT, payload: '{"type":"nonsense"}' });
    assert.equal((await ws.closed()).code, 4500);
    ws.destroy();
  });

  it('the process is alive, still serves, and logged nothing at error level', async (t) => {
    assert.ok(srv.alive());
    const ws = await helloSocket('conformance-after');
    ws.destroy();
    assert.deepEqual(srv.errors, []);
    const sorted = [...timings].sort((a, b) => a - b);
    t.diagnostic(`figure: ${timings.length} invalid-frame cases, close code right in all; median ${sorted[sorted.length >> 1]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`);
  });
});

/** The same kinds of frames, sent by python3-autobahn (an independent implementation). */
const AUTOBAHN_CASES: Case[] = [
  CASES.find((c) => c.name === 'ping with a 126-byte payload')!,
  CASES.find((c) => c.name === 'fragmented ping (FIN clear)')!,
  CASES.find((c) => c.name === 'RSV1 without permessage-deflate')!,
  CASES.find((c) => c.name === 'reserved opcode 0x3')!,
  CASES.find((c) => c.name === 'reserved opcode 0xb')!,
  CASES.find((c) => c.name === 'orphan continuation frame')!,
  CASES.find((c) => c.name === 'unmasked text frame')!,
  CASES.find((c) => c.name === 'invalid UTF-8 split across fragments')!,
  CASES.find((c) => c.name === 'close code 1005')!,
  CASES.find((c) => c.name === 'close code 5000')!,
];

describe('case 1: frame conformance, python3-autobahn sendFrame', SUITE, () => {
  it(`${AUTOBAHN_CASES.length} invalid frames from autobahn get the right close code within ${DEADLINE_MS} ms`, async (t) => {
    const input = AUTOBAHN_CASES.map((c) => ({
      name: c.name,
      frames: c.frames.map((f) => {
        const payload = typeof f.payload === 'string' ? Buffer.from(f.payload) : (f.payload ?? Buffer.alloc(0));
        return { opcode: f.opcode, payload_hex: payload.toString('hex'), fin: f.fin ?? true, rsv: f.rsv ?? 0, masked: f.masked ?? true };
      }),
    }));
    const proc = spawnPeer(PYTHON, [peerScript('autobahn-peer.py'), 'frames', await srv.informUrl('autobahn-frames')], JSON.stringify(input));
    let worst = 0;
    try {
      for (const c of AUTOBAHN_CASES) {
        const result = await proc.next();
        assert.equal(result.name, c.name);
        assert.equal(result.code, c.code, `close code for "${c.name}" sent by autobahn`);
        assert.ok(typeof result.ms === 'number' && result.ms < DEADLINE_MS, `closed after ${String(result.ms)} ms`);
        worst = Math.max(worst, result.ms);
      }
      assert.equal(await proc.exited, 0);
    } finally {
      proc.kill();
    }
    assert.ok(srv.alive());
    t.diagnostic(`figure: autobahn cases ${AUTOBAHN_CASES.length}/${AUTOBAHN_CASES.length} right, max ${worst.toFixed(1)} ms`);
  });
});
