/**
 * Case 6, hostile handshakes, written byte by byte against a server in a child process (permessage-deflate
 * on, so extension offers are parsed; a per-IP limit of 5, so a refusal that forgets to release its slot
 * shows): thousands of headers, huge Sec-WebSocket-Protocol, prototype-named extensions and headers,
 * control characters, wrong versions -> the exact 4xx (or a 101 that ignores what it does not speak), no
 * crash, nothing logged at error, file descriptors back to baseline, and the server still serving.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handshakeRequest, rawRequest } from '../support/wire/handshake.js';
import { RawSocket } from '../support/wire/raw-socket.js';
import { startChildServer, testToken, type ChildServer } from '../support/measured-server.js';
import { waitUntil } from '../support/time.js';
import { SUITE } from './helpers/suite.js';

const PER_IP = 5;

interface Case {
  name: string;
  request: (path: string) => string | Buffer;
  status: number;
  /** Expected `code` in the JSON body (Tidings' own refusals; Node's and ws's have none). */
  code?: string;
  /** For a 101: the extension the server must (or must not, '') have negotiated. */
  extension?: string;
}

const many = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i));
/** The handshake lines after the request line, for building requests with junk in front of them. */
const tail = (path: string) => handshakeRequest(path).split('\r\n').slice(1).join('\r\n');

const CASES: Case[] = [
  { name: '10,000 headers (over the 16 KiB header limit)', request: (p) => handshakeRequest(p, many(10_000, (i) => `X-Flood-${i}: 1`)), status: 431 },
  { name: '2,500 tiny headers before the handshake headers (past maxHeadersCount, within 16 KiB)', request: (p) => `GET ${p} HTTP/1.1\r\n${many(2500, (i) => `a${i % 10}:1`).join('\r\n')}\r\n${tail(p)}`, status: 400, code: 'BAD_HANDSHAKE' },
  { name: 'a 60 KB Sec-WebSocket-Protocol', request: (p) => handshakeRequest(p, [`Sec-WebSocket-Protocol: ${many(6000, (i) => `p${i}`).join(', ')}`]), status: 431 },
  { name: 'a 14 KB Sec-WebSocket-Protocol of 1,500 names (none spoken: accepted, none selected)', request: (p) => handshakeRequest(p, [`Sec-WebSocket-Protocol: ${many(1500, (i) => `p${i}`).join(',')}`]), status: 101, extension: '' },
  { name: 'a 20 KB request target', request: (p) => handshakeRequest(`${p}&x=${'a'.repeat(20_000)}`), status: 431 },
  { name: 'extensions named __proto__, constructor, toString, hasOwnProperty (ignored)', request: (p) => handshakeRequest(p, ['Sec-WebSocket-Extensions: __proto__, constructor, toString, hasOwnProperty']), status: 101, extension: '' },
  { name: 'prototype-named extension params next to a valid offer', request: (p) => handshakeRequest(p, ['Sec-WebSocket-Extensions: __proto__; __proto__=1; constructor=2, permessage-deflate']), status: 101, extension: 'permessage-deflate' },
  { name: 'permessage-deflate; __proto__=1', request: (p) => handshakeRequest(p, ['Sec-WebSocket-Extensions: permessage-deflate; __proto__=1']), status: 400 },
  { name: 'permessage-deflate; constructor', request: (p) => handshakeRequest(p, ['Sec-WebSocket-Extensions: permessage-deflate; constructor']), status: 400 },
  { name: 'permessage-deflate; client_max_window_bits=__proto__', request: (p) => handshakeRequest(p, ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=__proto__']), status: 400 },
  { name: 'headers and cookies named __proto__, constructor, hasOwnProperty', request: (p) => handshakeRequest(p, ['__proto__: x', 'constructor: y', 'hasOwnProperty: z', 'Cookie: __proto__=1; constructor=2; tidings_token=__proto__']), status: 101, extension: '' },
  { name: 'NUL in a header value', request: (p) => handshakeRequest(p, ['X-Test: a\x00b']), status: 400 },
  { name: 'SOH in a header value', request: (p) => handshakeRequest(p, ['X-Test: a\x01b']), status: 400 },
  { name: 'ESC sequence in Origin', request: (p) => handshakeRequest(p, ['Origin: http://127.0.0.1\x1b[31m']), status: 400 },
  { name: 'DEL in Sec-WebSocket-Key', request: (p) => handshakeRequest(p, [], { key: 'dGhlIHNhbXBsZSBub25jZQ=\x7f' }), status: 400 },
  { name: 'bare CR in a header value', request: (p) => handshakeRequest(p, ['X-Test: a\rb']), status: 400 },
  { name: 'bare LF inside a header value', request: (p) => handshakeRequest(p, ['X-Test: a\nb']), status: 400 },
  { name: 'Sec-WebSocket-Version: 12', request: (p) => handshakeRequest(p, [], { version: '12' }), status: 400, code: 'BAD_HANDSHAKE' },
  { name: 'Sec-WebSocket-Version: 14', request: (p) => handshakeRequest(p, [], { version: '14' }), status: 400, code: 'BAD_HANDSHAKE' },
  { name: 'Sec-WebSocket-Version: abc', request: (p) => handshakeRequest(p, [], { version: 'abc' }), status: 400, code: 'BAD_HANDSHAKE' },
  { name: 'no Sec-WebSocket-Version', request: (p) => handshakeRequest(p, [], { version: '' }), status: 400, code: 'BAD_HANDSHAKE' },
  { name: 'Sec-WebSocket-Version: 13, 8', request: (p) => handshakeRequest(p, [], { version: '13, 8' }), status: 400, code: 'BAD_HANDSHAKE' },
  { name: 'two Sec-WebSocket-Version headers', request: (p) => handshakeRequest(p, ['Sec-WebSocket-Version: 8']), status: 400, code: 'BAD_HANDSHAKE' },
  { name: 'a 3-byte Sec-WebSocket-Key', request: (p) => handshakeRequest(p, [], { key: 'AAAA' }), status: 400, code: 'BAD_HANDSHAKE' },
  { name: 'Upgrade: h2c', request: (p) => handshakeRequest(p).replace('Upgrade: websocket', 'Upgrade: h2c'), status: 400, code: 'BAD_HANDSHAKE' },
];

let srv: ChildServer;
let path: string;
let baselineFds: number;
const timings: number[] = [];
before(async () => {
  srv = await startChildServer({ perMessageDeflate: true, maxConnectionsPerIp: PER_IP, maxConnectionsPerUser: 100 });
  path = `/inform/?token=${await testToken('hostile')}`;
  baselineFds = srv.fds();
}, SUITE);
after(() => srv?.stop(), SUITE);

describe('case 6: hostile handshakes', SUITE, () => {
  for (const c of CASES) {
    it(`${c.name} -> ${c.status}`, async () => {
      const res = await rawRequest(srv.port, c.request(path));
      timings.push(res.ms);
      assert.equal(res.status, c.status, `body: ${res.body.slice(0, 200)}`);
      if (c.code) assert.equal((JSON.parse(res.body) as { code?: string }).code, c.code);
      if (c.extension !== undefined) assert.equal(res.headers['sec-websocket-extensions'] ?? '', c.extension);
      if (c.status === 101) assert.equal(res.headers['sec-websocket-protocol'], undefined);
    });
  }

  it('the same requests 10 times over: same answers (one at a time, so the per-IP limit is not what answers)', async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 10; round++) {
      for (const c of CASES) statuses.push((await rawRequest(srv.port, c.request(path))).status);
    }
    assert.deepEqual(statuses, Array.from({ length: 10 }, () => CASES.map((c) => c.status)).flat());
  });

  it(`afterwards: alive, per-IP slots all released (${PER_IP} sockets open), fds back to baseline, no error logged`, async (t) => {
    assert.ok(srv.alive());
    await waitUntil(async () => (await srv.connections()) === 0, 5000, 'all sockets closed');
    const sockets: RawSocket[] = [];
    for (let i = 0; i < PER_IP; i++) {
      const ws = await RawSocket.open(srv.wsUrl(path));
      assert.equal((await ws.nextJson()).type, 'hello');
      sockets.push(ws);
    }
    await assert.rejects(RawSocket.open(srv.wsUrl(path)), (err: Error & { status?: number }) => err.status === 429);
    for (const ws of sockets) ws.destroy();
    const settleMs = await waitUntil(() => srv.fds() <= baselineFds, 5000, `fds back to ${baselineFds}`);
    assert.deepEqual(srv.errors, []);
    const sorted = [...timings].sort((a, b) => a - b);
    t.diagnostic(`figure: ${CASES.length} hostile handshakes answered, median ${sorted[sorted.length >> 1]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms; fds back to baseline ${baselineFds} in ${settleMs} ms`);
  });
});
