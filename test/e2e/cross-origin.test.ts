/**
 * The bell embedded in an app on another origin, with Tidings in production mode (no demo, no dev tokens):
 * the app's page loads the bundle from Tidings' versioned path, its own token endpoint signs a JWT for the
 * signed-in user (as docs/embedding.md shows), and the bell connects, counts, lists and marks read across
 * origins. A page on an origin that is not allowed gets nothing.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { Browser } from 'playwright-core';
import { bellRows, chromiumSkipReason, launchChromium, newRecordedContext, openBell, record, waitForBellCount, waitForBellState } from '../support/browser/browser.js';
import { startPageServer, type PageServer } from '../support/browser/page-server.js';
import { startTidings, type TidingsProcess } from '../support/browser/demo-server.js';

const VERSION = (await import('../../package.json', { with: { type: 'json' } })).default.version;

/** The app's page: the bundle and the socket on Tidings' origin, the token from the app itself. */
function appPage(tidings: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title>
<script type="module" src="${tidings}/bundles/${VERSION}/tidings-bell.js"></script></head>
<body><header><h1>Acme</h1><tidings-bell src="${tidings.replace(/^http/, 'ws')}/inform/" token-url="/tidings/token"></tidings-bell></header></body></html>`;
}

/** The app's token endpoint: the signed-in user (here a plain cookie) gets a short-lived HS256 JWT. */
function tokenEndpoint(secret: () => string) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.url !== '/tidings/token') return false;
    const user = /(?:^|;\s*)session=(\w+)/.exec(req.headers.cookie ?? '')?.[1];
    if (req.method !== 'POST' || !user) {
      res.writeHead(user ? 405 : 401).end();
      return true;
    }
    void new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(secret()))
      .then((token) => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ token })));
    return true;
  };
}

describe('the bell on another origin, Tidings in production', { skip: chromiumSkipReason() }, () => {
  let app: PageServer;
  let evil: PageServer;
  let srv: TidingsProcess;
  let browser: Browser;
  /** The app answers on localhost, Tidings on 127.0.0.1: two origins. */
  let appOrigin: string;
  let evilOrigin: string;

  before(async () => {
    const appPages: Record<string, string> = {};
    const evilPages: Record<string, string> = {};
    app = await startPageServer({ pages: appPages, handle: tokenEndpoint(() => srv.jwtSecret) });
    evil = await startPageServer({ pages: evilPages, handle: tokenEndpoint(() => srv.jwtSecret) });
    appOrigin = app.url.replace('127.0.0.1', 'localhost');
    evilOrigin = evil.url.replace('127.0.0.1', 'localhost');
    [srv, browser] = await Promise.all([startTidings({ production: true, allowedOrigins: appOrigin }), launchChromium()]);
    appPages['/'] = appPage(srv.url);
    appPages['/posts/3'] = appPage(srv.url);
    evilPages['/'] = appPage(srv.url);
    for (const n of [1, 2, 3]) {
      const { status } = await srv.api('/v1/notifications', { to: 'alice', kind: 'comment', data: { from: 'bob', article: `Post ${n}`, url: `/posts/${n}` } });
      assert.equal(status, 201);
    }
  });
  after(async () => {
    await browser?.close();
    await Promise.all([srv?.stop(), app?.close(), evil?.close()]);
  });

  it('connects, counts, lists and marks read across origins', async () => {
    const context = await newRecordedContext(browser);
    await context.addCookies([{ name: 'session', value: 'alice', url: appOrigin }]);
    const page = await context.newPage();
    await page.goto(`${appOrigin}/`);
    await waitForBellState(page, 'open');
    await waitForBellCount(page, 3);
    await openBell(page);
    const rows = await bellRows(page);
    assert.equal(rows.length, 3, 'the list came over CORS');
    assert.match(rows[0] ?? '', /bob commented on your article “Post 3”/);
    // The item is a link (its data.url): following it marks it read.
    await Promise.all([page.waitForURL(`${appOrigin}/posts/3`), page.locator('tidings-bell li.item a.entry').first().click()]);
    await waitForBellState(page, 'open');
    await waitForBellCount(page, 2);
    // The HTTP fallback for mark-read: a POST with a JSON body and a Bearer token (a preflighted request).
    const unread = await page.evaluate(async (base) => {
      const { token } = (await (await fetch('/tidings/token', { method: 'POST' })).json()) as { token: string };
      const res = await fetch(`${base}/v1/me/read`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"all":true}' });
      return ((await res.json()) as { unread: number }).unread;
    }, srv.url);
    assert.equal(unread, 0);
    await waitForBellCount(page, 0);
    assert.deepEqual((await record(page)).errors, []);
    await context.close();
  });

  it('a page on an origin that is not allowed gets neither the socket nor the API', async () => {
    const context = await newRecordedContext(browser);
    await context.addCookies([{ name: 'session', value: 'alice', url: evilOrigin }]);
    const page = await context.newPage();
    await page.goto(`${evilOrigin}/`);
    await waitForBellState(page, 'offline');
    const outcome = await page.evaluate(async (base) => {
      const { token } = (await (await fetch('/tidings/token', { method: 'POST' })).json()) as { token: string };
      try {
        await fetch(`${base}/v1/me/notifications`, { headers: { authorization: `Bearer ${token}` } });
        return 'read';
      } catch {
        return 'blocked';
      }
    }, srv.url);
    assert.equal(outcome, 'blocked');
    await context.close();
  });
});
