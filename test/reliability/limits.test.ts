/**
 * Case 14, limits, each configurable: connections per user and per client address are refused before the
 * upgrade with 429 TOO_MANY_CONNECTIONS (a forged X-Forwarded-For from an untrusted peer does not get
 * around the per-address limit), a slot is given back when its socket closes, and a client over its
 * message rate is closed with 4029 while one within it is not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer, type TestSocket } from '../../src/testing/index.js';
import { waitUntil } from '../support/time.js';
import { SUITE } from './helpers/suite.js';

const PER_USER = 3;
const PER_IP = 4;
const RATE = 10;

let perUser: TestServer;
let perIp: TestServer;
let unlimitedIp: TestServer;
before(async () => {
  perUser = await startTestServer({ settings: { maxConnectionsPerUser: PER_USER, messageRate: RATE } });
  perIp = await startTestServer({ settings: { maxConnectionsPerIp: PER_IP, maxConnectionsPerUser: 100 } });
  unlimitedIp = await startTestServer({ settings: { maxConnectionsPerUser: 100 } });
}, SUITE);
after(async () => {
  await perUser?.close();
  await perIp?.close();
  await unlimitedIp?.close();
}, SUITE);

type Refusal = Error & { status?: number; body?: string };
const refusedWith429 = (err: Refusal) => err.status === 429 && (JSON.parse(err.body ?? '{}') as { code?: string }).code === 'TOO_MANY_CONNECTIONS';

async function hello(s: TestServer, user: string, headers?: Record<string, string>): Promise<TestSocket> {
  const ws = await s.connect('/inform/', { user, ...(headers ? { headers } : {}) });
  assert.equal((await ws.nextFrame()).type, 'hello');
  return ws;
}

/** Close `ws` and wait until the server has given its slot back (a new connection is accepted). */
async function reconnectAfterClose(s: TestServer, ws: TestSocket, user: string): Promise<TestSocket> {
  ws.close();
  await ws.closed();
  let next: TestSocket | null = null;
  await waitUntil(
    async () => {
      next = await hello(s, user).catch(() => null);
      return next !== null;
    },
    2000,
    'slot released',
  );
  return next as unknown as TestSocket;
}

describe('case 14: connection limits', SUITE, () => {
  it(`maxConnectionsPerUser=${PER_USER}: the next socket of that user -> 429, other users unaffected, a closed slot is reusable`, async () => {
    const tabs = await Promise.all(Array.from({ length: PER_USER }, () => hello(perUser, 'limit-alice')));
    await assert.rejects(perUser.connect('/inform/', { user: 'limit-alice' }), refusedWith429);
    const bob = await hello(perUser, 'limit-bob');
    tabs[0] = await reconnectAfterClose(perUser, tabs[0] as TestSocket, 'limit-alice');
    await assert.rejects(perUser.connect('/inform/', { user: 'limit-alice' }), refusedWith429);
    for (const ws of [...tabs, bob]) ws.close();
  });

  it(`maxConnectionsPerIp=${PER_IP}: the next socket from that address -> 429 whatever the user; forged X-Forwarded-For ignored`, async () => {
    const socks = await Promise.all(Array.from({ length: PER_IP }, (_, i) => hello(perIp, `ip-user-${i}`)));
    await assert.rejects(perIp.connect('/inform/', { user: 'ip-user-new' }), refusedWith429);
    await assert.rejects(perIp.connect('/inform/', { user: 'ip-user-new', headers: { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9' } }), refusedWith429);
    // The HTTP API is not a socket: it is still served to the same address.
    assert.equal((await perIp.api('/v1/notifications', { body: { to: 'ip-user-0', kind: 'k', data: {} } })).status, 201);
    socks[0] = await reconnectAfterClose(perIp, socks[0] as TestSocket, 'ip-user-0');
    for (const ws of socks) ws.close();
  });

  it('maxConnectionsPerIp=0 (the default) is off: 30 sockets from one address are accepted', async () => {
    const socks = await Promise.all(Array.from({ length: 30 }, (_, i) => hello(unlimitedIp, `free-${i}`)));
    assert.equal(socks.length, 30);
    for (const ws of socks) ws.close();
  });
});

describe('case 14: message rate', SUITE, () => {
  it(`messageRate=${RATE}/s (burst ${RATE * 2}): a client sending 200 frames at once is closed with 4029`, async (t) => {
    const ws = await hello(perUser, 'rate-flooder');
    const started = performance.now();
    for (let i = 0; i < 200; i++) ws.send({ type: 'ping' });
    const closed = await ws.closed(2000);
    const ms = performance.now() - started;
    assert.equal(closed.code, 4029);
    let pongs = 0;
    while (ws.pending > 0) if ((await ws.nextFrame().catch(() => ({ type: 'none' }))).type === 'pong') pongs++;
    assert.ok(pongs <= RATE * 2, `${pongs} pongs answered before the close`);
    t.diagnostic(`figure: flooder closed with 4029 after ${ms.toFixed(0)} ms, ${pongs} frames answered (burst ${RATE * 2})`);
  });

  it(`a client within its burst (${RATE * 2 - 5} frames) is answered and stays open`, async () => {
    const ws = await hello(perUser, 'rate-polite');
    const n = RATE * 2 - 5;
    for (let i = 0; i < n; i++) ws.send({ type: 'ping' });
    for (let i = 0; i < n; i++) assert.equal((await ws.nextOfType('pong')).type, 'pong');
    assert.ok(ws.ws.readyState === ws.ws.OPEN);
    ws.close();
  });

  it(`a client that spent its burst and then keeps under ${RATE}/s stays open`, async () => {
    const ws = await hello(perUser, 'rate-steady');
    for (let i = 0; i < RATE * 2; i++) ws.send({ type: 'ping' });
    for (let i = 0; i < RATE * 2; i++) await ws.nextOfType('pong');
    // Paced sending (the point of the case), not waiting for an event: 15 frames at about 6.7/s.
    for (let i = 0; i < 15; i++) {
      await new Promise((r) => setTimeout(r, 150));
      ws.send({ type: 'ping' });
      assert.equal((await ws.nextOfType('pong')).type, 'pong');
    }
    assert.ok(ws.ws.readyState === ws.ws.OPEN);
    ws.close();
  });

  it('the rate limit is per socket: a flooder does not cost its neighbour (same user) anything', async () => {
    const flooder = await hello(perUser, 'rate-shared');
    const neighbour = await hello(perUser, 'rate-shared');
    for (let i = 0; i < 200; i++) flooder.send({ type: 'ping' });
    assert.equal((await flooder.closed()).code, 4029);
    neighbour.send({ type: 'ping' });
    assert.equal((await neighbour.nextOfType('pong')).type, 'pong');
    neighbour.close();
  });
});
