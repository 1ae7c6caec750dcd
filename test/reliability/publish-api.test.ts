/**
 * Case 11, the publish API under abuse: missing, wrong and different-length keys -> 401 on every route
 * (checked before the body is read); the key comparison takes the same time however close the guess
 * (digests); oversized bodies -> 413, declared or streamed; deeply nested and prototype-polluting bodies
 * -> 400 (or 413), never a 500, never a crash.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { apiKeyMatches } from '../../src/auth/index.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../../src/testing/index.js';
import { SUITE } from './helpers/suite.js';

const MAX_BODY = 262_144;

let srv: TestServer;
let keyless: TestServer;
before(async () => {
  srv = await startTestServer({ settings: { maxBodyBytes: MAX_BODY } });
  keyless = await startTestServer({ settings: { apiKey: undefined } });
}, SUITE);
after(async () => {
  await srv?.close();
  await keyless?.close();
}, SUITE);

const NOTIFY = { to: 'api-user', kind: 'api', data: { n: 1 } };
const ROUTES: Array<[string, string]> = [
  ['POST', '/v1/notifications'],
  ['POST', '/v1/broadcasts'],
  ['GET', '/v1/users/api-user/unread-count'],
  ['GET', '/v1/stats'],
];

interface Answer {
  status: number;
  text: string;
  code: string | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * A request with exactly these headers and body, on a fresh connection of its own agent. Not a pooled
 * one: the server may close an idle keep-alive connection (its keep-alive timeout) just as the pool reuses
 * it, after the CPU-heavy timing test, and that reset has nothing to do with the case. Not `Connection:
 * close` either: then Node closes the socket right after an early 401/413 while the body is still coming.
 */
function call(s: TestServer, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const agent = new Agent({ keepAlive: true });
  return new Promise<Answer>((resolve, reject) => {
    const req = request(s.url + path, { method, agent, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, code: text ? (JSON.parse(text) as { code?: string }).code : undefined, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  }).finally(() => agent.destroy());
}

/** POST to the API with the test key. */
const post = (s: TestServer, path: string, body: string) => call(s, 'POST', path, { authorization: `Bearer ${TEST_API_KEY}` }, body);

describe('case 11: publish API keys', SUITE, () => {
  const wrong: Array<[string, Record<string, string>]> = [
    ['no Authorization header', {}],
    ['an empty Bearer', { authorization: 'Bearer ' }],
    ['a wrong key of the same length', { authorization: `Bearer ${'x'.repeat(TEST_API_KEY.length)}` }],
    ['the key with its last character changed', { authorization: `Bearer ${TEST_API_KEY.slice(0, -1)}${TEST_API_KEY.endsWith('x') ? 'y' : 'x'}` }],
    ['a one-character key', { authorization: 'Bearer t' }],
    ['a prefix of the key', { authorization: `Bearer ${TEST_API_KEY.slice(0, -3)}` }],
    ['the key plus one character', { authorization: `Bearer ${TEST_API_KEY}x` }],
    ['an 8 KB key', { authorization: `Bearer ${'k'.repeat(8192)}` }],
    ['the key as Basic credentials', { authorization: `Basic ${Buffer.from(`x:${TEST_API_KEY}`).toString('base64')}` }],
    ['the key in X-Api-Key only', { 'x-api-key': TEST_API_KEY }],
  ];
  for (const [name, headers] of wrong) {
    it(`${name} -> 401 UNAUTHORIZED on every API route`, async () => {
      for (const [method, path] of ROUTES) {
        const r = await call(srv, method, path, headers, method === 'POST' ? JSON.stringify(NOTIFY) : undefined);
        assert.equal(r.status, 401, `${method} ${path}`);
        assert.equal(r.code, 'UNAUTHORIZED');
        assert.equal(r.headers['www-authenticate'], 'Bearer');
      }
    });
  }

  it('the key in the query string -> 401', async () => {
    const r = await call(srv, 'POST', `/v1/notifications?api_key=${TEST_API_KEY}&key=${TEST_API_KEY}`, {}, JSON.stringify(NOTIFY));
    assert.equal(r.status, 401);
  });

  it('a server with no API key configured refuses everything, even "Bearer undefined" -> 401', async () => {
    for (const auth of ['Bearer ', 'Bearer undefined', 'Bearer null', `Bearer ${TEST_API_KEY}`]) {
      const r = await call(keyless, 'POST', '/v1/notifications', { authorization: auth }, JSON.stringify(NOTIFY));
      assert.equal(r.status, 401, auth);
    }
  });

  it('the right key -> 201 (the control)', async () => {
    const r = await call(srv, 'POST', '/v1/notifications', { authorization: `Bearer ${TEST_API_KEY}` }, JSON.stringify(NOTIFY));
    assert.equal(r.status, 201);
  });

  it('the key is checked before the body is read: no key and a 10 MB body -> 401, not 413', async () => {
    const r = await call(srv, 'POST', '/v1/notifications', {}, 'x'.repeat(10 * 1024 * 1024));
    assert.equal(r.status, 401);
  });

  it('comparison time does not depend on how much of the key a guess gets right', async (t) => {
    // A long key makes a short-circuiting comparison visible: a guess wrong in its first byte would return
    // at once, one wrong only in its last byte would scan 64 KB. Digests make both cost the same.
    const key = 'k'.repeat(65_536);
    const farMiss = `x${key.slice(1)}`;
    const nearMiss = `${key.slice(0, -1)}x`;
    const time = (guess: string) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 200; i++) assert.equal(apiKeyMatches(guess, key), false);
      return Number(process.hrtime.bigint() - started);
    };
    for (let i = 0; i < 3; i++) time(farMiss), time(nearMiss); // warm up
    const ratios: number[] = [];
    for (let round = 0; round < 15; round++) ratios.push(time(nearMiss) / time(farMiss));
    ratios.sort((a, b) => a - b);
    const median = ratios[ratios.length >> 1] as number;
    // A short-circuiting comparison measures 100x or more here; noise on a busy machine stays well inside 2x.
    assert.ok(median > 0.5 && median < 2, `near-miss/far-miss time ratio ${median.toFixed(2)}`);
    assert.equal(apiKeyMatches(key, key), true);
    assert.equal(apiKeyMatches('short', key), false);
    t.diagnostic(`figure: near-miss / far-miss comparison time, median of 15 rounds: ${median.toFixed(2)}`);
  });
});

/** POST a body streamed in 16 KB chunks without Content-Length; resolves with the status (0 on a reset). */
function postStreamed(totalBytes: number): Promise<{ status: number; error?: string }> {
  const agent = new Agent({ keepAlive: true });
  return new Promise<{ status: number; error?: string }>((resolve) => {
    const req = request(`${srv.url}/v1/notifications`, { method: 'POST', agent, headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', (err) => resolve({ status: 0, error: err.message }));
    const chunk = Buffer.alloc(16_384, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  }).finally(() => agent.destroy());
}

describe('case 11: publish API bodies', SUITE, () => {
  it(`a declared body over maxBodyBytes (${MAX_BODY}) -> 413 PAYLOAD_TOO_LARGE`, async () => {
    const res = await post(srv, '/v1/notifications', JSON.stringify({ ...NOTIFY, data: { pad: 'x'.repeat(MAX_BODY) } }));
    assert.equal(res.status, 413);
    assert.equal(res.code, 'PAYLOAD_TOO_LARGE');
  });

  it('a streamed (chunked) body of 4 MB -> 413, answered, not a connection reset', async () => {
    const r = await postStreamed(4 * 1024 * 1024);
    assert.equal(r.status, 413, r.error);
  });

  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  const bodies: Array<[string, string, number, string]> = [
    ['100,000 levels of [ ]', deep(100_000), 400, 'INVALID_BODY'],
    ['100,000 unclosed [', '['.repeat(100_000), 400, 'BAD_JSON'],
    ['40,000 levels of {"a": }', deepObject(40_000), 400, 'INVALID_BODY'],
    ['a valid notification whose data nests 100,000 levels', `{"to":"api-user","kind":"api","data":{"x":${deep(100_000)}}}`, 400, 'INVALID_BODY'],
    ['data nesting 40,000 objects', `{"to":"api-user","kind":"api","data":${deepObject(40_000)}}`, 400, 'INVALID_BODY'],
    ['200,000 levels of [ ] (over the body limit)', deep(200_000), 413, 'PAYLOAD_TOO_LARGE'],
    ['JSON with a lone surrogate and NUL in a key', '{"to":"api-user","kind":"api","data":{"\\u0000\\ud800":1}}', 201, ''],
  ];
  for (const [name, body, status, code] of bodies) {
    for (const path of ['/v1/notifications', '/v1/broadcasts']) {
      if (status === 201 && path === '/v1/broadcasts') continue;
      it(`${path}: ${name} -> ${status}${code ? ` ${code}` : ''}`, async () => {
        const res = await post(srv, path, body);
        assert.equal(res.status, status, res.text.slice(0, 300));
        if (code) assert.equal(res.code, code);
      });
    }
  }

  it('prototype-named keys in a body pollute nothing', async () => {
    const body = '{"to":"api-user","kind":"api","data":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}}';
    const res = await post(srv, '/v1/notifications', body);
    assert.equal(res.status, 201);
    const stored = JSON.parse(res.text) as { data: Record<string, unknown> };
    assert.deepEqual(stored.data.constructor, { prototype: { polluted: 2 } });
    assert.equal(stored.data.polluted, undefined);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  it('after all of it the API still publishes', async () => {
    const res = await post(srv, '/v1/notifications', JSON.stringify(NOTIFY));
    assert.equal(res.status, 201);
  });
});
