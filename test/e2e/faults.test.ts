/**
 * Bad input and faults, in real Chromium: the server unreachable at page load (offline state, bounded
 * retries with backoff), a token the server refuses (4501: one more getToken(), then `unauthorized`), and a
 * malformed frame from a fake server (ignored, reported through an `error` event, the connection kept).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { WebSocket } from 'ws';
import { chromiumSkipReason, newRecordedContext, record, screenshot, waitForBellCount, waitForBellState, waitForStateEvent } from '../support/browser/browser.js';
import { serveDemoFiles } from '../support/browser/demo-files.js';
import { startPageServer, type PageServer } from '../support/browser/page-server.js';
import type { PageWindow } from '../support/browser/page-types.js';
import { withDemo, type TidingsProcess } from '../support/browser/demo-server.js';
import { freePort } from '../support/ports.js';

/** The observation window of the backoff (the only fixed wait of the e2e suite). */
const WINDOW_MS = 10_000;
/**
 * Most connection attempts allowed in the window. The client's full-jitter backoff (1 s base, doubling)
 * makes about 5 on average; a tight loop would make hundreds.
 */
const MAX_ATTEMPTS = 15;

/** A JWT for alice that the server cannot verify (signed with another secret). */
function forgedToken(): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('alice').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode('not the server secret'));
}

/** A page whose token requests and WebSockets are counted. */
interface Watched {
  context: BrowserContext;
  page: Page;
  tokens(): number;
  sockets(): number;
}

/** A new recorded context set up by `intercept` (which calls `tokenAsked` per token request), and its page. */
async function watched(browser: Browser, intercept: (context: BrowserContext, tokenAsked: () => void) => Promise<void>): Promise<Watched> {
  const context = await newRecordedContext(browser);
  let tokens = 0;
  let sockets = 0;
  await intercept(context, () => void tokens++);
  const page = await context.newPage();
  page.on('websocket', () => void sockets++);
  return { context, page, tokens: () => tokens, sockets: () => sockets };
}

/** The demo served from `down`, an origin where Tidings is not running: the token request itself fails. */
function demoWithServerDown(browser: Browser, down: string): Promise<Watched> {
  return watched(browser, (context, tokenAsked) =>
    serveDemoFiles(context, down, {
      other(route, path) {
        if (path === '/demo/api/token') tokenAsked();
        return route.abort('connectionrefused');
      },
    }),
  );
}

/** A page at http://app.test whose app hands out tokens, its bell pointed at `down`, where Tidings is not running. */
function appWithTidingsDown(browser: Browser, down: string): Promise<Watched> {
  const bell = `<tidings-bell src="${down.replace(/^http/, 'ws')}/inform/" token-url="/token"></tidings-bell>`;
  return watched(browser, (context, tokenAsked) =>
    serveDemoFiles(context, 'http://app.test', {
      pages: { '/bell.html': `<!doctype html><script type="module" src="/static/tidings-bell.js"></script>${bell}` },
      other(route, path) {
        if (path !== '/token') return route.abort('connectionrefused');
        tokenAsked();
        return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ token: 'app-token' }) });
      },
    }),
  );
}

/** The real demo, but every token it gets is one the server refuses (close 4501). */
async function demoWithRefusedToken(browser: Browser, srv: TidingsProcess): Promise<Watched> {
  const forged = await forgedToken();
  return watched(browser, async (context, tokenAsked) => {
    await context.route(`${srv.url}/demo/api/token`, (route) => {
      tokenAsked();
      return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ user: 'alice', token: forged }) });
    });
  });
}

/** Opens the bell's panel and reads its status line. */
async function bellStatus(page: Page): Promise<string> {
  await page.locator('tidings-bell button.bell').click();
  return page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelector('tidings-bell')?.shadowRoot?.querySelector('.status')?.textContent ?? '');
}

const FAKE_PAGE = '<!doctype html><meta charset="utf-8"><title>fake</title><script type="module" src="/static/tidings-bell.js"></script><tidings-bell></tidings-bell>';

describe('faults in Chromium', { skip: chromiumSkipReason() }, () => {
  let srv: TidingsProcess;
  let browser: Browser;

  withDemo((s, b) => void ([srv, browser] = [s, b]));

  it('server unreachable at page load: offline state, bounded retries; a refused token: one more getToken(), then unauthorized', async (t) => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const [demo, app, refused] = await Promise.all([demoWithServerDown(browser, down), appWithTidingsDown(browser, down), demoWithRefusedToken(browser, srv)]);
    await Promise.all([demo.page.goto(`${down}/?as=alice`), app.page.goto('http://app.test/bell.html'), refused.page.goto(`${srv.url}/?as=alice`)]);
    const loaded = Date.now();
    await Promise.all([waitForStateEvent(demo.page, 'offline', 0), waitForStateEvent(app.page, 'offline', 0), waitForBellState(refused.page, 'unauthorized')]);
    const unauthorizedAfter = Date.now() - loaded;
    assert.deepEqual([refused.tokens(), refused.sockets()], [2, 2], 'getToken() once more after the first 4501, then stop');

    // The observation window, from the pages' load event: count what each client does while nothing changes.
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS - (Date.now() - loaded)));
    const attempts = { demo: demo.tokens(), app: app.sockets(), appTokens: app.tokens(), refusedTokens: refused.tokens(), refusedSockets: refused.sockets() };
    t.diagnostic(`attempts in the ${WINDOW_MS / 1000} s after page load: ${JSON.stringify(attempts)}; unauthorized ${unauthorizedAfter} ms after load`);
    for (const [what, n] of Object.entries({ demo: attempts.demo, app: attempts.app })) {
      assert.ok(n >= 2 && n <= MAX_ATTEMPTS, `${what}: ${n} attempts in ${WINDOW_MS} ms (it retries, with backoff)`);
    }
    // A token is fetched just before each socket attempt, so at the edge of the window one token request may
    // have been counted whose socket has not opened yet.
    assert.ok(attempts.appTokens === attempts.app || attempts.appTokens === attempts.app + 1, `one getToken() per attempt (${attempts.appTokens} tokens, ${attempts.app} sockets)`);
    assert.deepEqual([attempts.refusedTokens, attempts.refusedSockets], [2, 2], 'no retry after unauthorized');

    assert.equal(await bellStatus(demo.page), 'Reconnecting…Retry now');
    assert.equal(await bellStatus(refused.page), 'Sign-in needed to see your notifications.Retry now');
    assert.ok((await record(refused.page)).errors.includes('UNAUTHORIZED'));
    assert.ok((await record(demo.page)).errors.includes('TOKEN_FAILED'));
    await Promise.all([screenshot(demo.page, 'faults-1-offline'), screenshot(refused.page, 'faults-2-unauthorized')]);
    assert.equal(refused.tokens(), 2, 'opening the panel while unauthorized asks for no token either');
    await Promise.all([demo, app, refused].map((w) => w.context.close()));
  });

  it('a malformed frame from the server is ignored and reported as an error event; the connection is kept', async (t) => {
    const sockets: WebSocket[] = [];
    let connected = (): void => {};
    const first = new Promise<void>((resolve) => (connected = resolve));
    const fake: PageServer = await startPageServer({
      pages: { '/': FAKE_PAGE },
      onSocket(ws) {
        sockets.push(ws);
        ws.send(JSON.stringify({ type: 'hello', user: 'alice', unread: 0, seq: 0, ping: 25 }));
        connected();
      },
    });
    const context = await newRecordedContext(browser);
    t.after(() => Promise.all([context.close(), fake.close()]));
    const page = await context.newPage();
    await page.goto(fake.url);
    await first;
    await waitForBellState(page, 'open');

    const ws = sockets[0]!;
    for (const bad of ['{not json', '[1,2]', JSON.stringify({ type: 'notification', id: 'n0', seq: 'one', kind: 'comment', data: {}, createdAt: 'x', unread: 1 }), JSON.stringify({ kind: 'no type' })]) ws.send(bad);
    ws.send(JSON.stringify({ type: 'a_newer_frame', note: 'unknown types are ignored quietly' }));
    const good = { type: 'notification', id: 'n1', seq: 1, kind: 'comment', data: { from: 'bob', text: 'still here' }, createdAt: new Date().toISOString(), unread: 1 };
    ws.send(JSON.stringify(good));
    await waitForBellCount(page, 1);

    const { errors, states } = await record(page);
    assert.deepEqual(errors, ['INVALID_SERVER_FRAME', 'INVALID_SERVER_FRAME', 'INVALID_SERVER_FRAME', 'INVALID_SERVER_FRAME']);
    assert.deepEqual(states, ['connecting', 'open'], 'the connection was never dropped');
    assert.equal(sockets.length, 1, 'no reconnect');
    assert.equal(ws.readyState, ws.OPEN);
    await screenshot(page, 'faults-3-malformed-frame');
  });
});
