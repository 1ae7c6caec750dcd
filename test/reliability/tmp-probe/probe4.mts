import { startChildServer, testToken } from '../helpers/child-server.js';
import { rawRequest, handshakeRequest } from '../helpers/raw-ws.js';
const srv = await startChildServer({ perMessageDeflate: true });
const tok = await testToken('h');
const p = `/inform/?token=${tok}`;
const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
const cases: Array<[string, string | Buffer]> = [
  ['10k headers', handshakeRequest(p, many(10000, (i) => `X-F${i}: 1`))],
  ['2500 tiny headers first', `GET ${p} HTTP/1.1\r\n` + many(2500, (i) => `a${i % 10}:1`).join('\r\n') + '\r\n' + handshakeRequest(p).split('\r\n').slice(1).join('\r\n')],
  ['2500 tiny headers after', handshakeRequest(p, many(2500, (i) => `a${i%10}:1`))],
  ['60KB protocol', handshakeRequest(p, ['Sec-WebSocket-Protocol: ' + many(6000, (i) => `p${i}`).join(', ')])],
  ['14KB protocol', handshakeRequest(p, ['Sec-WebSocket-Protocol: ' + many(1500, (i) => `p${i}`).join(',')])],
  ['malformed protocol', handshakeRequest(p, ['Sec-WebSocket-Protocol: a b, "c", ,;'])],
  ['proto ext names', handshakeRequest(p, ['Sec-WebSocket-Extensions: __proto__, constructor, toString, hasOwnProperty'])],
  ['pmd __proto__ param', handshakeRequest(p, ['Sec-WebSocket-Extensions: permessage-deflate; __proto__=1'])],
  ['pmd constructor param', handshakeRequest(p, ['Sec-WebSocket-Extensions: permessage-deflate; constructor'])],
  ['pmd bits __proto__', handshakeRequest(p, ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=__proto__'])],
  ['ext __proto__ params', handshakeRequest(p, ['Sec-WebSocket-Extensions: __proto__; __proto__=1; constructor=2, permessage-deflate'])],
  ['headers named proto', handshakeRequest(p, ['__proto__: x', 'constructor: y', 'hasOwnProperty: z', 'toString: w', 'Cookie: __proto__=1; constructor=2'])],
  ['NUL in value', handshakeRequest(p, ['X-Test: a\x00b'])],
  ['SOH in value', handshakeRequest(p, ['X-Test: a\x01b'])],
  ['DEL in key', handshakeRequest(p, [], { key: 'dGhlIHNhbXBsZSBub25jZQ=\x7f' })],
  ['bare CR in value', handshakeRequest(p, ['X-Test: a\rb'])],
  ['bare LF in value', handshakeRequest(p, ['X-Test: a\nb'])],
  ['ESC in origin', handshakeRequest(p, ['Origin: http://127.0.0.1\x1b[31m'])],
  ['obs-text in protocol', Buffer.concat([Buffer.from(handshakeRequest(p).slice(0, -2)), Buffer.from('Sec-WebSocket-Protocol: '), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('\r\n\r\n')])],
  ['version 12', handshakeRequest(p, [], { version: '12' })],
  ['version 14', handshakeRequest(p, [], { version: '14' })],
  ['version abc', handshakeRequest(p, [], { version: 'abc' })],
  ['version missing', handshakeRequest(p, [], { version: '' })],
  ['version 13, 8', handshakeRequest(p, [], { version: '13, 8' })],
  ['two version headers', handshakeRequest(p, ['Sec-WebSocket-Version: 8'])],
  ['short key', handshakeRequest(p, [], { key: 'AAAA' })],
  ['huge url', handshakeRequest(p + '&x=' + 'a'.repeat(20000))],
  ['http/1.0', handshakeRequest(p).replace('HTTP/1.1', 'HTTP/1.0')],
  ['valid', handshakeRequest(p)],
];
for (const [name, req] of cases) {
  try { const r = await rawRequest(srv.port, req); console.log(name.padEnd(24), r.status, Math.round(r.ms), r.body.slice(0, 90).replace(/\s+/g, ' '), r.headers['sec-websocket-extensions'] ?? '', r.headers['sec-websocket-protocol'] ?? ''); }
  catch (e) { console.log(name, 'ERR', String(e)); }
}
console.log('alive', srv.alive(), srv.errors);
await srv.stop();
