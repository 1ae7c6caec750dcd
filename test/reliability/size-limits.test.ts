/**
 * Case 3, size limits, and case 4, fragment flood, against a server in a child process with
 * permessage-deflate enabled and the default maxPayload (64 KiB):
 * - a frame of maxPayload+1, the same size fragmented, a permessage-deflate bomb -> 1009 within 100 ms,
 *   server memory growth under 50 MB;
 * - 200,000 tiny (and empty) continuation frames -> closed (1009 once the bytes pass maxPayload, 1008
 *   once the fragments pass ws's maxFragments, 16,384, whichever comes first), memory bounded, others served.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { encodeFrame, Opcode, type FrameSpec } from '../support/wire/frames.js';
import { RawSocket } from '../support/wire/raw-socket.js';
import { mib, startChildServer, type ChildServer } from '../support/measured-server.js';
import { SUITE } from './helpers/suite.js';

const MAX_PAYLOAD = 65_536;
const CLOSE_WITHIN_MS = 100;
const MEMORY_BOUND = 50 * 1024 * 1024;
const CONCURRENT = 20;
const BOMB_SIZE = 50 * 1024 * 1024;

let srv: ChildServer;
let bomb: Buffer;
before(async () => {
  srv = await startChildServer({ maxConnectionsPerUser: 10_000, maxPayload: MAX_PAYLOAD, perMessageDeflate: true });
  // 50 MiB of zeros deflate to about 50 KB: a compressed frame under maxPayload that inflates 800 times over.
  bomb = deflateRawSync(Buffer.alloc(BOMB_SIZE));
}, SUITE);
after(() => srv?.stop(), SUITE);

async function open(user: string, deflate = false): Promise<RawSocket> {
  const ws = await RawSocket.open(await srv.informUrl(user), deflate ? { extensions: 'permessage-deflate; client_max_window_bits; server_no_context_takeover' } : {});
  assert.equal((await ws.nextJson()).type, 'hello');
  if (deflate) assert.match(ws.headers['sec-websocket-extensions'] ?? '', /permessage-deflate/);
  return ws;
}

/** Send `frames` on a fresh socket; resolve with the close code and the ms from the write to the close. */
async function closeAfter(frames: FrameSpec[] | Buffer, deflate = false, timeoutMs = 2000): Promise<{ code: number | null; ms: number }> {
  const ws = await open('limits', deflate);
  try {
    const sentAt = Buffer.isBuffer(frames) ? (ws.socket.write(frames), performance.now()) : ws.send(...frames);
    const closed = await ws.closed(timeoutMs);
    return { code: closed.code, ms: closed.at - sentAt };
  } finally {
    ws.destroy();
  }
}

const chunks = (total: number, parts: number): FrameSpec[] => {
  const size = Math.ceil(total / parts);
  return Array.from({ length: parts }, (_, i) => ({
    opcode: i === 0 ? Opcode.TEXT : Opcode.CONTINUATION,
    payload: Buffer.alloc(Math.min(size, total - i * size), 0x61),
    fin: i === parts - 1,
  }));
};

/** The bomb as a compressed message split into fragments (RSV1 on the first only). */
const bombFragments = (parts: number): FrameSpec[] => {
  const size = Math.ceil(bomb.length / parts);
  return Array.from({ length: parts }, (_, i) => ({
    opcode: i === 0 ? Opcode.TEXT : Opcode.CONTINUATION,
    rsv: i === 0 ? 4 : 0,
    payload: bomb.subarray(i * size, (i + 1) * size),
    fin: i === parts - 1,
  }));
};

const CASES: Array<{ name: string; frames: () => FrameSpec[]; deflate?: boolean }> = [
  { name: `one frame of maxPayload+1 (${MAX_PAYLOAD + 1} bytes)`, frames: () => [{ opcode: Opcode.TEXT, payload: Buffer.alloc(MAX_PAYLOAD + 1, 0x61) }] },
  { name: 'the same size in 2 fragments', frames: () => chunks(MAX_PAYLOAD + 1, 2) },
  { name: 'the same size in 64 fragments', frames: () => chunks(MAX_PAYLOAD + 1, 64) },
  { name: `a permessage-deflate bomb (${mib(BOMB_SIZE)} inflated) in one frame`, frames: () => [{ opcode: Opcode.TEXT, rsv: 4, payload: bomb }], deflate: true },
  { name: 'the bomb in 8 fragments', frames: () => bombFragments(8), deflate: true },
];

describe('case 3: size limits', SUITE, () => {
  for (const c of CASES) {
    it(`${c.name} -> 1009 within ${CLOSE_WITHIN_MS} ms`, async (t) => {
      const frames = c.frames();
      const { code, ms } = await closeAfter(frames, c.deflate);
      assert.equal(code, 1009);
      assert.ok(ms < CLOSE_WITHIN_MS, `closed after ${ms.toFixed(1)} ms`);
      t.diagnostic(`figure: ${c.name}: 1009 after ${ms.toFixed(1)} ms`);
    });
  }

  it('a header declaring 2^63-1 bytes (nothing sent after it) -> 1009', async () => {
    const head = encodeFrame({ opcode: Opcode.TEXT, payload: Buffer.alloc(0) });
    head[1] = 0x80 | 127;
    const frame = Buffer.concat([head.subarray(0, 2), Buffer.from('7fffffffffffffff', 'hex'), head.subarray(2)]);
    const { code, ms } = await closeAfter(frame);
    assert.equal(code, 1009);
    assert.ok(ms < CLOSE_WITHIN_MS, `closed after ${ms.toFixed(1)} ms`);
  });

  it('a message of exactly maxPayload is accepted', async () => {
    const ws = await open('limits-ok');
    const frame = (pad: string) => `{"type":"ping","pad":"${pad}"}`;
    const text = frame('a'.repeat(MAX_PAYLOAD - frame('').length));
    assert.equal(Buffer.byteLength(text), MAX_PAYLOAD);
    ws.send(...chunks(0, 1).map((f) => ({ ...f, payload: text })));
    assert.equal((await ws.nextJson()).type, 'pong');
    ws.destroy();
  });

  it(`${CONCURRENT} sockets at once sending bombs and oversized frames: all 1009, memory growth under 50 MB`, async (t) => {
    const results: Array<{ code: number | null; ms: number }> = [];
    const growth = await srv.memoryGrowth(async () => {
      const runs = Array.from({ length: CONCURRENT }, (_, i) => {
        const c = CASES[i % CASES.length] as (typeof CASES)[number];
        return closeAfter(c.frames(), c.deflate, 5000);
      });
      results.push(...(await Promise.all(runs)));
    });
    assert.deepEqual(results.map((r) => r.code), Array(CONCURRENT).fill(1009));
    assert.ok(growth.peak < MEMORY_BOUND, `peak RSS growth ${mib(growth.peak)}`);
    assert.ok(srv.alive());
    const worst = Math.max(...results.map((r) => r.ms));
    t.diagnostic(`figure: ${CONCURRENT} concurrent: peak RSS growth ${mib(growth.peak)}, retained ${mib(growth.retained)}, slowest 1009 ${worst.toFixed(1)} ms`);
  });
});

describe('case 4: fragment flood', SUITE, () => {
  const FRAGMENTS = 200_000;
  const flood = (size: number): Buffer => {
    const first = encodeFrame({ opcode: Opcode.TEXT, payload: Buffer.alloc(size, 0x61), fin: false });
    const next = encodeFrame({ opcode: Opcode.CONTINUATION, payload: Buffer.alloc(size, 0x61), fin: false });
    return Buffer.concat([first, ...Array<Buffer>(FRAGMENTS - 1).fill(next)]);
  };

  for (const size of [1, 0]) {
    it(`${FRAGMENTS.toLocaleString('en')} continuation frames of ${size} byte(s) -> closed, memory bounded, others still served`, async (t) => {
      const bystander = await open('flood-bystander');
      const bytes = flood(size);
      let result: { code: number | null; ms: number } = { code: null, ms: 0 };
      const latencies: number[] = [];
      const growth = await srv.memoryGrowth(async () => {
        const closing = closeAfter(bytes, false, 5000);
        for (let i = 0; i < 5; i++) {
          const sent = bystander.send({ opcode: Opcode.TEXT, payload: '{"type":"ping"}' });
          assert.equal((await bystander.nextJson(5000)).type, 'pong');
          latencies.push(performance.now() - sent);
        }
        result = await closing;
      });
      bystander.destroy();
      // ws's fragment cap (16,384 fragments per message -> 1008) comes before maxPayload (1009) for tiny fragments.
      assert.ok(result.code === 1008 || result.code === 1009, `close code ${result.code}`);
      assert.ok(growth.peak < MEMORY_BOUND, `peak RSS growth ${mib(growth.peak)}`);
      assert.ok(srv.alive());
      t.diagnostic(
        `figure: ${mib(bytes.length)} of ${size}-byte fragments: closed ${result.code} after ${result.ms.toFixed(0)} ms, ` +
          `peak RSS growth ${mib(growth.peak)}, bystander ping max ${Math.max(...latencies).toFixed(0)} ms`,
      );
    });
  }

  it('logged nothing at error level', () => {
    assert.deepEqual(srv.errors, []);
  });
});
