/**
 * Case 21: a slow consumer. A server in a child process (so its memory is measured alone) with
 * `maxBufferedBytes` at 256 KiB; one client that never reads (its socket paused after the upgrade) and 20
 * that do, while 1,000 broadcasts a second (about 1 KiB each) are published through the HTTP API for
 * 6 seconds. The slow socket fills the kernel buffers, then its 256 KiB, and is closed with 4002 (the
 * server counts it in `tidings_drops_total{reason="slow_client"}`; the close frame itself waits behind the
 * unread bytes, so the server cuts the socket a second later); the others see every broadcast with a p99
 * latency (publish request to frame) under 100 ms, and the server's memory stays bounded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { RawSocket } from './helpers/raw-ws.js';
import { mib, startChildServer, waitUntil, type ChildServer } from './helpers/child-server.js';
import { SUITE } from './helpers/suite.js';
import { quantile } from './faults/publishing.js';
import { TEST_API_KEY } from '../../src/testing/index.js';

const CAP = 256 * 1024;
const RATE = 1000;
const SECONDS = 8;
const OTHERS = 20;
const PAD = 'x'.repeat(900);

let srv: ChildServer;
before(async () => {
  srv = await startChildServer({ maxBufferedBytes: CAP, maxConnectionsPerUser: 100 });
}, SUITE);
after(() => srv?.stop(), SUITE);

/** A reading client that records the latency of each broadcast (its `data.t` against the clock now). */
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
    if (m && text.startsWith('{"type":"broadcast"')) latencies.push(performance.now() - Number(m[1]));
  });
  return { latencies, ws };
}

/** POST `RATE` broadcasts a second for `SECONDS`, spread evenly; resolves with the statuses seen and the rate achieved. */
async function pump(): Promise<{ statuses: Map<number, number>; rate: number }> {
  const statuses = new Map<number, number>();
  const started = performance.now();
  const total = RATE * SECONDS;
  const lanes = 50;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = lane; i < total; i += lanes) {
        const due = started + (i * 1000) / RATE;
        if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
        const res = await fetch(`${srv.url}/v1/broadcasts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
          body: `{"kind":"load","data":{"t":${performance.now()},"pad":"${PAD}"}}`,
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  return { statuses, rate: total / ((performance.now() - started) / 1000) };
}

async function slowClosedCount(): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  return Number(/^tidings_drops_total\{reason="slow_client"\} (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('case 21: slow consumer', SUITE, () => {
  it(`a client that never reads while ${RATE} broadcasts/s go out: closed by the ${CAP / 1024} KiB cap, the others' p99 < 100 ms, memory bounded`, async (t) => {
    const readers = await Promise.all(Array.from({ length: OTHERS }, async (_, i) => reader(await srv.informUrl(`fast-${i}`))));
    const slow = await RawSocket.open(await srv.informUrl('slow'));
    assert.equal((await slow.nextJson()).type, 'hello');
    slow.socket.pause(); // never reads again
    t.after(() => slow.destroy());
    assert.equal(await srv.connections(), OTHERS + 1);
    assert.equal(await slowClosedCount(), 0);

    let cutAfterMs = NaN;
    let pumped = { statuses: new Map<number, number>(), rate: 0 };
    const growth = await srv.memoryGrowth(async () => {
      const pumping = pump();
      cutAfterMs = await waitUntil(async () => (await srv.connections()) === OTHERS, 30_000, 'slow client closed');
      pumped = await pumping;
    });
    const statuses = pumped.statuses;
    const all = readers.flatMap((r) => r.latencies);
    const p99 = quantile(all, 0.99);
    const received = Math.min(...readers.map((r) => r.latencies.length));
    t.diagnostic(
      `figure: 21: ${pumped.rate.toFixed(0)} broadcasts/s of ${PAD.length + 60} B for ${SECONDS} s; slow client closed (4002, cap ${CAP / 1024} KiB) ${cutAfterMs} ms after the load began; others: ${all.length} frames, p50 ${quantile(all, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${quantile(all, 1).toFixed(0)} ms; server memory growth peak ${mib(growth.peak)}, retained ${mib(growth.retained)}; publishes ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    assert.equal(await slowClosedCount(), 1, 'closed by the buffered-bytes cap (4002), counted as slow_client');
    assert.deepEqual([...statuses.keys()], [202], 'every broadcast accepted');
    assert.ok(pumped.rate > RATE * 0.9, `broadcast rate ${pumped.rate.toFixed(0)}/s`);
    assert.equal(received, RATE * SECONDS, 'every reader got every broadcast');
    assert.ok(p99 < 100, `others' p99 ${p99.toFixed(1)} ms`);
    assert.ok(growth.peak < 64 * 1024 * 1024, `peak memory growth ${mib(growth.peak)}`);
    assert.ok(srv.alive());
    for (const r of readers) r.ws.close();
  });
});
