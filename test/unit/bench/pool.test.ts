import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { SocketPool } from '../../../bench/load/pool.js';
import { wallClockMs, waitUntil } from '../../../bench/lib/time.js';

for (const mode of ['raw', 'ws'] as const) {
  test(`a ${mode} pool counts deliveries per socket, samples latency and reports loss`, async (t) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    const sockets: WebSocket[] = [];
    wss.on('connection', (s) => sockets.push(s));
    const pool = new SocketPool({ host: '127.0.0.1', port: (wss.address() as AddressInfo).port, mode, needles: ['"type":"broadcast"'], batchSize: 2, timeoutMs: 5000 });
    // The server's close callback waits for its connections: drop the clients first.
    t.after(() => {
      pool.close();
      for (const s of sockets) s.terminate();
      return new Promise((resolve) => wss.close(resolve));
    });
    const report = await pool.connect([0, 1, 2, 3, 4].map((i) => ({ path: '/', capture: i === 0 })));
    assert.deepEqual([report.connected, report.failed], [5, 0]);
    assert.ok(await waitUntil(() => sockets.length === 5, 2000));
    pool.reset();
    for (const s of sockets) s.send(JSON.stringify({ type: 'hello' }));
    for (const [i, s] of sockets.entries()) {
      s.send(JSON.stringify({ type: 'broadcast', data: { t: wallClockMs() - 5 } }));
      if (i > 0) s.send(JSON.stringify({ type: 'broadcast', data: { t: wallClockMs() } }));
    }
    assert.ok(await waitUntil(() => pool.stats().deliveries === 9, 2000), 'all deliveries counted');
    const stats = pool.stats(2, true);
    assert.equal(pool.total, 9);
    assert.deepEqual([stats.sockets, stats.open, stats.lossSockets, stats.missing], [5, 5, 1, 1]);
    assert.equal(stats.latency.length, 1, 'only the capturing socket samples');
    assert.ok((stats.latency[0] ?? 0) >= 5);
    assert.ok(stats.wireBytes > 0);
    assert.equal(pool.stats(undefined, false).latency.length, 0);
  });
}

test('connection failures are counted with their reason', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: (_info, cb) => cb(false, 403) });
  await once(wss, 'listening');
  const pool = new SocketPool({ host: '127.0.0.1', port: (wss.address() as AddressInfo).port, mode: 'raw', needles: [], batchSize: 10, timeoutMs: 5000 });
  const report = await pool.connect([{ path: '/', capture: false }, { path: '/', capture: false }]);
  assert.deepEqual([report.connected, report.failed], [0, 2]);
  assert.match(report.errors[0] ?? '', /HTTP 403/);
  await new Promise((resolve) => wss.close(resolve));
});

test('a paced pool starts connections at its rate, times each handshake to its ready frame, and can drop them all', async (t) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const sockets: WebSocket[] = [];
  wss.on('connection', (s) => {
    sockets.push(s);
    s.send(JSON.stringify({ type: 'resumed' }));
  });
  const port = (wss.address() as AddressInfo).port;
  const pool = new SocketPool({ host: '127.0.0.1', port, mode: 'raw', needles: [], batchSize: 1, timeoutMs: 5000, rate: 50, ready: '"type":"resumed"' });
  t.after(() => {
    pool.close();
    for (const s of sockets) s.terminate();
    return new Promise((resolve) => wss.close(resolve));
  });
  const report = await pool.connect([0, 1, 2, 3, 4].map(() => ({ path: '/', capture: false })));
  assert.deepEqual([report.connected, report.failed], [5, 0]);
  assert.equal(report.handshakeMs?.length, 5);
  assert.ok(report.handshakeMs.every((ms) => ms > 0 && ms < 5000));
  // Five connections at 50/s: the last starts 4 × 20 ms after the first (a timer may round a millisecond early).
  assert.ok(report.ms >= 78, `all connected within ${report.ms} ms`);
  pool.close();
  assert.equal(pool.stats().sockets, 0);
  assert.ok(await waitUntil(() => sockets.every((s) => s.readyState === s.CLOSED), 2000), 'the server saw every socket close');
});
