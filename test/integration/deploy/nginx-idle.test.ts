/**
 * An idle WebSocket through nginx stays open thanks to Tidings' pings, and is cut without them.
 *
 * nginx closes a proxied connection that receives nothing from upstream for proxy_read_timeout (60 s by
 * default; deploy/nginx/tidings.conf sets 75 s, above the 25 s ping interval). Proving "survives 70 s" at
 * those values would take more than a minute, so this test scales the same mechanism down:
 *   - nginx runs deploy/nginx/tidings.conf with `proxy_read_timeout 75s` substituted by 12s (READ_TIMEOUT);
 *   - Tidings A pings every 5 s (--ping-interval 5): its connection must still be open after 3 x 12 s = 36 s
 *     and still deliver a notification;
 *   - Tidings B pings every 60 s (longer than the read timeout, i.e. no ping in the window): the same nginx
 *     configuration must cut its connection after about 12 s.
 * Both run at the same time, so the whole file takes about 40 s.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess, startBuilt, publish, tokenFor } from '../../support/tidings.js';
import { openSocket } from '../../support/frames.js';
import { secrets, tempDir } from '../../support/process.js';
import { unless } from '../../support/services/skip.js';
import { startNginx, type Nginx } from '../../support/proxy/nginx.js';

const READ_TIMEOUT_S = 12;

describe('idle connections through nginx', { skip: unless('nginx', 'nginx-light') }, () => {
  const keys = secrets();
  let dir: ReturnType<typeof tempDir> | undefined;
  const env = { TIDINGS_JWT_SECRET: keys.jwtSecret, TIDINGS_API_KEY: keys.apiKey };
  let pinged: ServerProcess;
  let silent: ServerProcess;
  let nginxA: Nginx;
  let nginxB: Nginx;

  before(async () => {
    const path = (dir = tempDir('nginx-idle')).path;
    const started = await Promise.allSettled([
      startBuilt({ args: ['--proxy-headers', '--ping-interval', '5'], env: { ...env, TIDINGS_DATABASE_URL: `sqlite:${path}/a.db` } }),
      startBuilt({ args: ['--proxy-headers', '--ping-interval', '60'], env: { ...env, TIDINGS_DATABASE_URL: `sqlite:${path}/b.db` } }),
    ]);
    const [a, b] = started;
    if (a?.status === 'fulfilled') pinged = a.value;
    if (b?.status === 'fulfilled') silent = b.value;
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    nginxA = await startNginx({ upstreamPort: pinged.port, readTimeout: `${READ_TIMEOUT_S}s` });
    nginxB = await startNginx({ upstreamPort: silent.port, readTimeout: `${READ_TIMEOUT_S}s` });
  });
  after(async () => {
    await Promise.all([nginxA?.stop(), nginxB?.stop()]);
    await Promise.all([pinged?.stop(), silent?.stop()]);
    dir?.remove();
  });

  it(`with pings every 5 s the connection outlives 3 x proxy_read_timeout (${3 * READ_TIMEOUT_S} s); without, nginx cuts it after ${READ_TIMEOUT_S} s`, { timeout: 60_000 }, async () => {
    const wsUrl = async (nginx: Nginx, user: string) => `${nginx.url.replace('http', 'ws')}/inform/?token=${await tokenFor(user, keys.jwtSecret)}`;
    const [a, b] = await Promise.all([openSocket(await wsUrl(nginxA, 'idle-a')), openSocket(await wsUrl(nginxB, 'idle-b'))]);
    const startedAt = Date.now();
    assert.equal((await a.nextOfType('hello')).ping, 5);
    assert.equal((await b.nextOfType('hello')).ping, 60);

    const cut = (async () => {
      const closed = await b.closed((READ_TIMEOUT_S + 10) * 1000);
      return { ...closed, after: Date.now() - startedAt };
    })();
    const keptAlive = a.closed(3 * READ_TIMEOUT_S * 1000).then(
      (closed) => assert.fail(`the pinged connection closed (${closed.code}) after ${Date.now() - startedAt} ms`),
      () => undefined,
    );

    const b_ = await cut;
    // nginx drops the TCP connection without a close frame: the client sees 1006 once the timeout passes.
    assert.equal(b_.code, 1006);
    assert.ok(b_.after >= (READ_TIMEOUT_S - 1) * 1000, `cut after ${b_.after} ms, before the ${READ_TIMEOUT_S} s read timeout`);

    await keptAlive;
    assert.ok(Date.now() - startedAt >= 3 * READ_TIMEOUT_S * 1000);
    assert.equal(a.ws.readyState, a.ws.OPEN);
    const published = await publish(nginxA.url, keys.apiKey, 'idle-a', { after: 'idle' });
    assert.equal(published.status, 201);
    assert.equal((await a.nextOfType('notification', 5000)).id, published.body.id);
    a.close();
  });
});
