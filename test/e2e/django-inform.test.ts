/**
 * The seed, end to end, after the move: the blog post's page (served by Django through daphne) in Chromium,
 * the post's nginx site in front with `location /inform` pointing at Tidings (`npm run example:inform` on the
 * channels_redis layer), and the post's `send_inform()` run in the Django project. The badge goes up. Then
 * side by side: a socket still on daphne gets the same message as the browser on Tidings.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { openSocket } from '../support/frames.js';
import { unless } from '../support/services/skip.js';
import { startNginx, substitute, type Nginx } from '../support/proxy/nginx.js';
import { freePort } from '../support/ports.js';
import { DJANGO_PROJECT, djangoSkipReason, manageSendInform, startSideBySide, type Daphne } from '../support/services/django.js';
import { REDIS_URL, redisSkipReason, uniquePrefix } from '../support/services/redis.js';
import { chromiumSkipReason, launchChromium } from '../support/browser/browser.js';

const skip = (await redisSkipReason()) ?? djangoSkipReason() ?? chromiumSkipReason() ?? (unless('nginx', 'nginx-light') || undefined);
const SITE_CONF = join(DJANGO_PROJECT, 'nginx-inform.conf');

/** The example nginx site with the test's ports. */
function siteConf(listen: number, tidingsPort: number, djangoPort: number): string {
  let conf = readFileSync(SITE_CONF, 'utf8');
  conf = substitute(conf, /^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${listen};`, SITE_CONF);
  conf = substitute(conf, /^(\s*)server 127\.0\.0\.1:8006;$/m, `$1server 127.0.0.1:${tidingsPort};`, SITE_CONF);
  return substitute(conf, /^(\s*)server 127\.0\.0\.1:8000;$/m, `$1server 127.0.0.1:${djangoPort};`, SITE_CONF);
}

describe('the seed end to end: Django send_inform -> channels_redis -> Tidings -> nginx -> Chromium', { skip }, () => {
  const prefix = uniquePrefix();
  const djangoLayer = { redisUrl: REDIS_URL, prefix };
  let pair: Awaited<ReturnType<typeof startSideBySide>>;
  let daphne: Daphne;
  let nginx: Nginx;
  let browser: Browser;
  before(async () => {
    const nginxPort = await freePort();
    [pair, browser] = await Promise.all([
      startSideBySide(djangoLayer, {
        TIDINGS_LAYER: 'channels-redis',
        TIDINGS_PROXY_HEADERS: 'true',
        // The post's nginx sends `Host $host` (no port): name the site's origin.
        TIDINGS_ALLOWED_ORIGINS: `http://127.0.0.1:${nginxPort}`,
      }),
      launchChromium(),
    ]);
    daphne = pair.daphne;
    const tidingsPort = pair.tidings.port;
    nginx = await startNginx({ upstreamPort: tidingsPort, port: nginxPort, siteConf: (port) => siteConf(port, tidingsPort, daphne.port) });
  });
  after(async () => {
    await browser?.close();
    await nginx?.stop();
    await pair?.stop();
  });

  it('the badge goes up when Django sends, with the browser on Tidings and a socket still on daphne', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${nginx.url}/`);
    await page.waitForSelector('body[data-socket="open"]', { state: 'attached', timeout: 10_000 });
    // The page's own AJAX (CSRF-checked POST to Django through nginx) worked on open.
    await page.waitForSelector('#notes[data-loaded="1"]', { state: 'attached', timeout: 10_000 });
    assert.equal(await page.textContent('.badge'), '0');

    await manageSendInform(djangoLayer, ['comment', 'alice', 'Channels 评论', '/static/alice.png', 'bob']);
    await page.waitForFunction("document.querySelector('.badge').textContent === '1'", undefined, { timeout: 10_000 });
    assert.equal(await page.textContent('#last'), 'bob comment Channels 评论 /static/alice.png');

    // Side by side: daphne still serves some sockets during a rolling move; one send reaches both.
    const onDaphne = await openSocket(`${daphne.url.replace('http', 'ws')}/inform/`);
    await manageSendInform(djangoLayer, ['like', 'carol', 'Tidings', '/static/carol.png', 'dave']);
    await page.waitForFunction("document.querySelector('.badge').textContent === '2'", undefined, { timeout: 10_000 });
    assert.deepEqual(await onDaphne.nextFrame(10_000), { func: 'like', username: 'carol', article: 'Tidings', head_image: '/static/carol.png', trigger_username: 'dave' });
    onDaphne.close();
    assert.deepEqual(errors, []);
    // nginx really sent the browser's /inform to Tidings: the example counts one open socket.
    const health = (await (await fetch(`${pair.tidings.url}/healthz`)).json()) as { connections: number };
    assert.equal(health.connections, 1);
  });
});
