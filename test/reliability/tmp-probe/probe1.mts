import { startTestServer, TEST_API_KEY } from '../../../src/testing/index.js';
import { request } from 'node:http';
const srv = await startTestServer({});
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
for (const body of [deep(100000), '['.repeat(100000), `{"to":"a","kind":"k","data":{"x":${deep(100000)}}}`, `{"to":"a","kind":"k","data":{"x":${'{"a":'.repeat(50000)}1${'}'.repeat(50000)}}}`]) {
  const r = await srv.api('/v1/notifications', { body });
  console.log(body.length, r.status, (await r.text()).slice(0, 200));
}
// chunked oversized
await new Promise<void>((resolve) => {
  const req = request(srv.url + '/v1/notifications', { method: 'POST', headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' } }, (res) => {
    console.log('chunked status', res.statusCode); res.resume(); res.on('end', resolve);
  });
  req.on('error', (e) => { console.log('chunked error', e.message); resolve(); });
  let sent = 0;
  const pump = () => { while (sent < 2_000_000) { sent += 16384; if (!req.write('x'.repeat(16384))) { req.once('drain', pump); return; } } req.end(); };
  pump();
});
const r2 = await srv.api('/v1/notifications', { body: 'x'.repeat(300000) });
console.log('declared', r2.status);
await srv.close();
