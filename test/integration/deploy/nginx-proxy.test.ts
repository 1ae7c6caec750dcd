/**
 * deploy/nginx/tidings.conf with real nginx in front of a real `tidings serve --proxy-headers` process:
 * a WebSocket through nginx receives a notification published through nginx's /v1/, and the client address
 * Tidings logs is the real client's. The client connects from 127.0.0.2 (nginx and Tidings talk over
 * 127.0.0.1, the only trusted proxy), so the real address and the proxy's differ.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { ServerProcess, startBuilt, publish, tokenFor } from '../../support/tidings.js';
import { openSocket } from '../../support/frames.js';
import { secrets, tempDir } from '../../support/process.js';
import { unless } from '../../support/services/skip.js';
import { type LogEntry } from '../../support/output-log.js';
import { startNginx, type Nginx } from '../../support/proxy/nginx.js';

const CLIENT_IP = '127.0.0.2';
const FORGED = '203.0.113.66';

describe('nginx in front of Tidings', { skip: unless('nginx', 'nginx-light') }, () => {
  const keys = secrets();
  let dir: ReturnType<typeof tempDir> | undefined;
  let tidings: ServerProcess;
  let nginx: Nginx;

  before(async () => {
    dir = tempDir('nginx-proxy');
    tidings = await startBuilt({
      args: ['--proxy-headers', '--trusted-proxies', '127.0.0.1'],
      env: { TIDINGS_JWT_SECRET: keys.jwtSecret, TIDINGS_API_KEY: keys.apiKey, TIDINGS_DATABASE_URL: `sqlite:${dir.path}/inbox.db` },
    });
    nginx = await startNginx({ upstreamPort: tidings.port });
  });
  after(async () => {
    await nginx?.stop();
    await tidings?.stop();
    dir?.remove();
  });

  const opened = (user: string) => tidings.log.waitFor((e: LogEntry) => e.msg === 'connection opened' && e.user === user, 5000, `connection opened for ${user}`);
  const viaNginx = (token: string) => `${nginx.url.replace('http', 'ws')}/inform/?token=${encodeURIComponent(token)}`;

  it('a WebSocket through nginx receives a notification published through nginx /v1/', async () => {
    const socket = await openSocket(viaNginx(await tokenFor('nx-alice', keys.jwtSecret)), { localAddress: CLIENT_IP });
    const hello = await socket.nextOfType('hello');
    assert.equal(hello.user, 'nx-alice');
    const published = await publish(nginx.url, keys.apiKey, 'nx-alice', { article: 'through nginx' });
    assert.equal(published.status, 201);
    const frame = await socket.nextOfType('notification', 5000);
    assert.equal(frame.id, published.body.id);
    assert.deepEqual(frame.data, { article: 'through nginx' });
    socket.close();
    await socket.closed();
  });

  it('tokens stay out of nginx\'s access log: the client\'s subprotocol works through nginx, and a ?token= is logged without its query', async () => {
    const token = await tokenFor('nx-log', keys.jwtSecret);
    // Only this test's sockets come from 127.0.0.1 (the others' from CLIENT_IP), whenever nginx writes theirs.
    const lines = (): number => ((existsSync(nginx.accessLog) ? readFileSync(nginx.accessLog, 'utf8') : '').match(/^127\.0\.0\.1 .*"GET \/inform\/ HTTP\/1\.1" 101/gm) ?? []).length;
    const before = lines();
    const viaProtocol = await openSocket(`${nginx.url.replace('http', 'ws')}/inform/`, { protocols: ['tidings', `tidings.bearer.${token}`] });
    assert.equal((await viaProtocol.nextOfType('hello')).user, 'nx-log');
    viaProtocol.close();
    await viaProtocol.closed();
    const viaQuery = await openSocket(viaNginx(token));
    await viaQuery.nextOfType('hello');
    viaQuery.close();
    await viaQuery.closed();
    // nginx writes a WebSocket's line when the connection ends: wait for both.
    const deadline = Date.now() + 5000;
    while (lines() < before + 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const log = readFileSync(nginx.accessLog, 'utf8');
    assert.equal(lines(), before + 2, log);
    assert.ok(!log.includes(token) && !log.includes('token='), `the access log holds a token:\n${log}`);
  });

  it('Tidings logs the real client address, not nginx\'s, and a forged X-Forwarded-For through nginx does not change it', async () => {
    const plain = await openSocket(viaNginx(await tokenFor('nx-ip', keys.jwtSecret)), { localAddress: CLIENT_IP });
    assert.equal((await opened('nx-ip')).ip, CLIENT_IP);
    // nginx appends the real peer to whatever the client claims; Tidings takes the right-most untrusted hop.
    const forged = await openSocket(viaNginx(await tokenFor('nx-forged', keys.jwtSecret)), {
      localAddress: CLIENT_IP,
      headers: { 'x-forwarded-for': FORGED, 'x-real-ip': FORGED },
    });
    assert.equal((await opened('nx-forged')).ip, CLIENT_IP);
    plain.close();
    forged.close();
  });

  it('X-Forwarded-For sent directly by an untrusted peer is ignored; from the trusted proxy address it is honoured', async () => {
    const direct = `ws://127.0.0.1:${tidings.port}/inform/?token=`;
    const untrusted = await openSocket(direct + (await tokenFor('dx-untrusted', keys.jwtSecret)), { localAddress: CLIENT_IP, headers: { 'x-forwarded-for': FORGED } });
    assert.equal((await opened('dx-untrusted')).ip, CLIENT_IP);
    const trusted = await openSocket(direct + (await tokenFor('dx-trusted', keys.jwtSecret)), { localAddress: '127.0.0.1', headers: { 'x-forwarded-for': FORGED } });
    assert.equal((await opened('dx-trusted')).ip, FORGED);
    untrusted.close();
    trusted.close();
  });

  it('the connection close line has user, ip, duration and close code', async () => {
    const socket = await openSocket(viaNginx(await tokenFor('nx-close', keys.jwtSecret)), { localAddress: CLIENT_IP });
    await socket.nextOfType('hello');
    socket.close(1000);
    const closed = await tidings.log.waitFor((e) => e.msg === 'connection closed' && e.user === 'nx-close', 5000, 'connection closed');
    assert.equal(closed.ip, CLIENT_IP);
    assert.equal(closed.code, 1000);
    assert.equal(typeof closed.durationMs, 'number');
  });

  it('plain HTTP goes through the same server block; /metrics is not exposed through nginx', async () => {
    const health = await fetch(`${nginx.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal((await fetch(`${nginx.url}/readyz`)).status, 200);
    const metrics = await fetch(`${nginx.url}/metrics`);
    assert.equal(metrics.status, 404);
    assert.doesNotMatch(await metrics.text(), /tidings_/);
    const unauthorized = await fetch(`${nginx.url}/v1/stats`);
    assert.equal(unauthorized.status, 401);
  });
});
