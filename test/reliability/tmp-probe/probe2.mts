import { startTestServer } from '../../../src/testing/index.js';
import { connect } from 'node:net';
const srv = await startTestServer({ settings: { handshakeTimeout: 2 } });
const port = Number(new URL(srv.url).port);
const t0 = Date.now();
const results: string[] = [];
await Promise.all([0, 1, 2].map((kind) => new Promise<void>((resolve) => {
  const s = connect(port, '127.0.0.1');
  let timer: NodeJS.Timeout;
  s.on('connect', () => {
    if (kind === 0) return; // silent
    s.write('GET /inform/ HTTP/1.1\r\nHost: x\r\n');
    timer = setInterval(() => s.write(kind === 1 ? 'X' : 'X-a: b\r\n'), 500);
  });
  let data = '';
  s.on('data', (d) => (data += d));
  s.on('close', () => { clearInterval(timer); results.push(`${kind} closed after ${Date.now() - t0} ms: ${JSON.stringify(data.slice(0, 40))}`); resolve(); });
  s.on('error', () => {});
})));
console.log(results.join('\n'));
await srv.close();
