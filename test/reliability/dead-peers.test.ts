/**
 * Case 7, dead peers, against a server in a child process with a 1 s ping interval: a client that stops
 * reading, and a silent network drop (a proxy that stops forwarding without closing anything), are both
 * cut by the heartbeat within two intervals (one to ping, one to miss the pong), the server's open
 * connections and file descriptors come back to baseline, and peers that do answer are left alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawSocket } from '../support/wire/raw-socket.js';
import { startBlackHoleProxy } from '../support/proxy/black-hole-proxy.js';
import { startChildServer, type ChildServer } from '../support/measured-server.js';
import { waitUntil } from '../support/time.js';
import { SUITE } from './helpers/suite.js';

const PING_INTERVAL_S = 1;
const PEERS = 50;
/** Ping interval + pong timeout (one more interval) + slack for a busy CI machine. */
const DETECT_WITHIN_MS = 2 * PING_INTERVAL_S * 1000 + 1500;

let srv: ChildServer;
let baselineFds: number;
before(async () => {
  srv = await startChildServer({ pingInterval: PING_INTERVAL_S, maxConnectionsPerUser: 1000 });
  baselineFds = srv.fds();
}, SUITE);
after(() => srv?.stop(), SUITE);

async function peers(url: string, n: number, autoPong: boolean): Promise<RawSocket[]> {
  const out = await Promise.all(Array.from({ length: n }, () => RawSocket.open(url)));
  for (const ws of out) {
    ws.autoPong = autoPong;
    const hello = await ws.nextJson();
    assert.equal(hello.type, 'hello');
    assert.equal(hello.ping, PING_INTERVAL_S);
  }
  return out;
}

describe('case 7: dead peers', SUITE, () => {
  it('peers that answer pings stay connected through 3 pings', async () => {
    const alive = await peers(await srv.informUrl('dead-control'), 10, true);
    await waitUntil(() => alive.every((ws) => ws.pings >= 3), 10_000, 'three pings each');
    assert.ok(alive.every((ws) => !ws.isClosed));
    assert.equal(await srv.connections(), 10);
    for (const ws of alive) ws.destroy();
    await waitUntil(async () => (await srv.connections()) === 0, 2000, 'control peers gone');
  });

  it(`${PEERS} clients that stop reading are cut within ${DETECT_WITHIN_MS} ms; fds back to baseline`, async (t) => {
    const stalled = await peers(await srv.informUrl('dead-stalled'), PEERS, true);
    assert.ok(srv.fds() >= baselineFds + PEERS);
    const stoppedAt = performance.now();
    for (const ws of stalled) {
      ws.autoPong = false;
      ws.socket.pause();
    }
    await waitUntil(async () => (await srv.connections()) === 0, DETECT_WITHIN_MS + 2000, 'stalled peers cut');
    const detectMs = performance.now() - stoppedAt;
    assert.ok(detectMs < DETECT_WITHIN_MS, `cut after ${detectMs.toFixed(0)} ms`);
    const fdMs = await waitUntil(() => srv.fds() <= baselineFds, 2000, `fds back to ${baselineFds}`);
    for (const ws of stalled) ws.destroy();
    t.diagnostic(`figure: ${PEERS} stalled readers cut ${detectMs.toFixed(0)} ms after they stopped (interval ${PING_INTERVAL_S} s); fds at baseline ${fdMs} ms later`);
  });

  it(`${PEERS} peers behind a silent network drop are cut within ${DETECT_WITHIN_MS} ms; fds back to baseline`, async (t) => {
    const proxy = await startBlackHoleProxy(srv.port);
    const url = (await srv.informUrl('dead-dropped')).replace(`:${srv.port}/`, `:${proxy.port}/`);
    const dropped = await peers(url, PEERS, true);
    try {
      // The heartbeat works through the proxy before the drop: every peer has answered a ping.
      await waitUntil(() => dropped.every((ws) => ws.pings >= 1), 4000, 'a ping through the proxy');
      const dropAt = proxy.drop();
      const closes = await proxy.upstreamCloses(PEERS, DETECT_WITHIN_MS + 2000);
      // A peer cut before the drop would mean its pongs did not get through: not the case under test.
      assert.ok(closes.every((at) => at >= dropAt), `${closes.filter((at) => at < dropAt).length} peers were cut before the drop`);
      const worst = Math.max(...closes) - dropAt;
      assert.ok(worst < DETECT_WITHIN_MS, `last dropped peer cut after ${worst.toFixed(0)} ms`);
      assert.equal(await srv.connections(), 0);
      const fdMs = await waitUntil(() => srv.fds() <= baselineFds, 2000, `fds back to ${baselineFds}`);
      t.diagnostic(`figure: ${PEERS} peers behind a dropped link cut ${(Math.min(...closes) - dropAt).toFixed(0)}-${worst.toFixed(0)} ms after the drop; fds at baseline ${fdMs} ms later`);
    } finally {
      for (const ws of dropped) ws.destroy();
      await proxy.close();
    }
  });

  it('the process is alive and logged nothing at error level', () => {
    assert.ok(srv.alive());
    assert.deepEqual(srv.errors, []);
  });
});
