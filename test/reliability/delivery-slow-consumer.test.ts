/**
 * Case 21: a slow consumer. A server in a child process (its memory measured alone) with
 * `maxBufferedBytes` at 256 KiB broadcasts 1,000 messages a second (1 KiB each, from inside the process)
 * for 8 s (after 1 s of warm-up) to 10 clients that read and one that never does (its socket paused after
 * the upgrade). The unread bytes first fill the kernel's buffers (the server's send buffer grows to
 * net.ipv4.tcp_wmem's maximum, 4 MiB by default), then the server's own 256 KiB: then it closes the socket
 * with 4002, counted in `tidings_drops_total{reason="slow_client"}` (the close frame waits behind the unread
 * bytes, so the socket is cut a second later). The others get every broadcast, with a p99 latency
 * (broadcast call to frame received) under 100 ms, and the server's memory stays bounded.
 *
 * What is timed is the server: the reading clients are raw sockets that parse frames in place
 * (faults/latency-reader.ts), and the server and this process (the clients) run at nice -10 where
 * permitted, so that another process on a shared 2-core machine does not stretch the measurement.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getPriority, setPriority } from 'node:os';
import { RawSocket } from '../support/wire/raw-socket.js';
import { mib, raisePriority } from '../support/measured-server.js';
import { waitUntil } from '../support/time.js';
import { SUITE } from './helpers/suite.js';
import { openLatencyReader } from './faults/latency-reader.js';
import { startChildServer, type ChildServer } from '../support/measured-server.js';
import { quantile } from './faults/publishing.js';

const CAP = 256 * 1024;
const RATE = 1000;
const SECONDS = 8;
const BYTES = 1024;
const OTHERS = 10;

let srv: ChildServer;
const ownNice = getPriority();
let nice = { server: 0, clients: 0 };
before(async () => {
  // The layer's per-channel capacity is raised from 100 so that a scheduling hiccup of a busy CI machine
  // (a burst of queued broadcasts) is not dropped at the channel: this case is about the socket's cap.
  srv = await startChildServer({ maxBufferedBytes: CAP, maxConnectionsPerUser: 100, capacity: 2000 });
  nice = { server: raisePriority(srv.pid), clients: raisePriority(process.pid) };
}, SUITE);
after(async () => {
  await srv?.stop();
  try {
    setPriority(ownNice);
  } catch {
    // Lowering back to the original niceness is always permitted; nothing else to undo.
  }
}, SUITE);

async function slowClosedCount(): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  return Number(/^tidings_drops_total\{reason="slow_client"\} (\d+)/m.exec(text)?.[1] ?? NaN);
}

async function closedWith(code: string): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  return Number(new RegExp(`^tidings_connections_closed_total\\{code="${code}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

describe('case 21: slow consumer', SUITE, () => {
  it(`a client that never reads while ${RATE} broadcasts/s go out: closed with 4002 by the cap, the others' p99 < 100 ms, memory bounded`, async (t) => {
    const readers = await Promise.all(Array.from({ length: OTHERS }, async (_, i) => openLatencyReader(await srv.informUrl(`fast-${i}`))));
    t.after(() => readers.forEach((r) => r.close()));
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
        `server RSS growth peak ${mib(peakRss - rssBefore)}, after GC ${mib(retained)}; nice server ${nice.server}, clients ${nice.clients}`,
    );
    assert.equal(await slowClosedCount(), 1, 'closed by the buffered-bytes cap (4002), counted as slow_client');
    assert.equal(await closedWith('4002'), 1, 'its close is counted under 4002, not as a cut (1006)');
    assert.ok(pumped.rate > RATE * 0.95, `broadcast rate ${pumped.rate.toFixed(0)}/s`);
    assert.equal(all.length, OTHERS * pumped.sent, 'every reader got every broadcast, once');
    assert.ok(p99 < 100, `others' p99 ${p99.toFixed(1)} ms`);
    assert.ok(peakRss - rssBefore < 64 * 1024 * 1024, `peak memory growth ${mib(peakRss - rssBefore)}`);
    assert.deepEqual(readers.map((r) => r.closeCode), Array(OTHERS).fill(null), 'the readers stayed open');
    assert.deepEqual(srv.errors, []);
  });
});
