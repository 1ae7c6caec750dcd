/**
 * Case 21: a slow consumer. A server in a child process (its memory measured alone) with
 * `maxBufferedBytes` at 256 KiB broadcasts 1,000 messages a second (1 KiB each, from inside the process)
 * for 8 s to 20 clients that read and one that never does (its socket paused after the upgrade). The
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
const OTHERS = 20;

let srv: LoadServer;
before(async () => {
  srv = await startLoadServer({ maxBufferedBytes: CAP, maxConnectionsPerUser: 100 });
}, SUITE);
after(() => srv?.stop(), SUITE);

/** A reading client that records each broadcast's latency (its `data.t` against the clock now). */
async function reader(url: string): Promise<{ latencies: number[]; ws: WebSocket }> {
  const ws = new WebSocket(url);
  const latencies: number[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (data) => {
    const text = data.toString();
    const m = /"t":([\d.]+)/.exec(text);
    if (m && text.startsWith('{"type":"broadcast"')) latencies.push(performance.timeOrigin + performance.now() - Number(m[1]));
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
    const drained = await waitUntil(() => readers.every((r) => r.latencies.length >= pumped.sent), 10_000, 'readers got every broadcast');
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
