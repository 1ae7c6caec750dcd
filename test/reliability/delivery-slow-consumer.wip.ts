/**
 * Case 21: a slow consumer. A server in a child process (its memory measured alone) with
 * `maxBufferedBytes` at 256 KiB broadcasts 1,000 messages a second (1 KiB each, from inside the process)
 * for 8 s (after 1 s of warm-up) to 10 clients that read and one that never does (its socket paused after the upgrade). The
 * unread bytes first fill the kernel's buffers (the server's send buffer grows to net.ipv4.tcp_wmem's
 * maximum, 4 MiB by default), then the server's own 256 KiB: then it closes the socket with 4002, counted in
 * `tidings_drops_total{reason="slow_client"}` (the close frame waits behind the unread bytes, so the
 * socket is cut a second later). The others get every broadcast, with a p99 latency (broadcast call to
 * frame received) under 100 ms, and the server's memory stays bounded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { RawSocket } from './helpers/raw-ws.js';
import { mib, waitUntil } from './helpers/child-server.js';
import { SUITE } from './helpers/suite.js';
import { startLoadServer, type LoadServer } from './faults/load-server.js';
import { quantile } from './faults/publishing.js';

const CAP = 256 * 1024;
const RATE = 1000;
const SECONDS = 8;
const BYTES = 1024;
const OTHERS = 10;
const T_FIELD = Buffer.from('"data":{"t":');

let srv: LoadServer;
before(async () => {
  // The layer's per-channel capacity is raised from 100 so that a scheduling hiccup of a busy CI machine
  // (a burst of queued broadcasts) is not dropped at the channel: this case is about the socket's cap.
  srv = await startLoadServer({ maxBufferedBytes: CAP, maxConnectionsPerUser: 100, capacity: 2000 });
}, SUITE);
after(() => srv?.stop(), SUITE);

/** A reading client that records each broadcast's latency (its `data.t` against the clock now). */
async function reader(url: string): Promise<{ latencies: number[]; ws: WebSocket }> {
  // The reader must cost little: its own delays would count as the server's.
  const ws = new WebSocket(url, { skipUTF8Validation: true });
  const latencies: number[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (data: Buffer) => {
    const at = data.indexOf(T_FIELD);
    if (at < 0) return;
    const t = Number(data.toString('latin1', at + T_FIELD.length, data.indexOf(',', at)));
    latencies.push(performance.timeOrigin + performance.now() - t);
  });
  return { latencies, ws };
}

async function slowClosedCount(): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  return Number(/^tidings_drops_total\{reason="slow_client"\} (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('case 21: slow consumer', SUITE, () => {
  it(`a client that never reads while ${RATE} broadcasts/s go out: closed with 4002 by the cap, the others' p99 < 100 ms, memory bounded`, async (t) => {
    const readers = await Promise.all(Array.from({ length: OTHERS }, async (_, i) => reader(await srv.informUrl(`fast-${i}`))));
    // Warm-up (JIT, socket buffers), not measured.
    const warm = await srv.broadcast(RATE, 1, BYTES);
    await waitUntil(() => readers.every((r) => r.latencies.length >= warm.sent), 20_000, 'warm-up received');
    for (const r of readers) r.latencies.length = 0;
    const slow = await RawSocket.open(await srv.informUrl('slow'));
    assert.equal((await slow.nextJson()).type, 'hello');
    slow.socket.pause(); // never reads again
    t.after(() => slow.destroy());
    assert.equal(await srv.connections(), OTHERS + 1);
    assert.equal(await slowClosedCount(), 0);

    await srv.heap();
    const rssBefore = srv.rss();
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, srv.rss())), 50);
    const pumping = srv.broadcast(RATE, SECONDS, BYTES);
    const cutAfterMs = await waitUntil(async () => (await srv.connections()) === OTHERS, (SECONDS + 5) * 1000, 'slow client closed');
    const pumped = await pumping;
    clearInterval(sampler);
    const drained = await waitUntil(() => readers.every((r) => r.latencies.length >= pumped.sent), 20_000, 'readers got every broadcast');
    await srv.heap();
    const retained = srv.rss() - rssBefore;

    const all = readers.flatMap((r) => r.latencies);
    const p99 = quantile(all, 0.99);
    t.diagnostic(
      `figure: 21: ${pumped.rate.toFixed(0)} broadcasts/s of ${BYTES} B for ${SECONDS} s; slow client closed (4002, cap ${CAP / 1024} KiB after the kernel's buffers) ${cutAfterMs} ms after the load began; ` +
        `others: ${all.length} frames, p50 ${quantile(all, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${quantile(all, 1).toFixed(0)} ms (last frame ${drained} ms after the last broadcast); ` +
        `server RSS growth peak ${mib(peakRss - rssBefore)}, after GC ${mib(retained)}`,
    );
    assert.equal(await slowClosedCount(), 1, 'closed by the buffered-bytes cap (4002), counted as slow_client');
    assert.ok(pumped.rate > RATE * 0.95, `broadcast rate ${pumped.rate.toFixed(0)}/s`);
    assert.ok(p99 < 100, `others' p99 ${p99.toFixed(1)} ms`);
    assert.ok(peakRss - rssBefore < 64 * 1024 * 1024, `peak memory growth ${mib(peakRss - rssBefore)}`);
    assert.deepEqual(srv.problems, []);
    for (const r of readers) r.ws.close();
  });
});
