/**
 * Bad input and faults, in real Chromium: the server unreachable at page load (offline state, bounded
 * retries with backoff), a token the server refuses (4501: one more getToken(), then `unauthorized`), and a
 * malformed frame from a fake server (ignored, reported through an `error` event, the connection kept).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import type { WebSocket } from 'ws';
import { chromiumSkipReason, launchChromium, newRecordedContext, record, screenshot, waitForBellCount, waitForBellState } from './helpers/browser.js';
import { serveDemoFiles } from './helpers/demo-files.js';
import { startPageServer, type PageServer } from './helpers/page-server.js';
import type { PageWindow } from './helpers/page-types.js';
import { startTidings, type TidingsProcess } from './helpers/tidings-process.js';

/** The observation window of the backoff (the only fixed wait of the e2e suite). */
const WINDOW_MS = 10_000;
/**
 * Most connection attempts allowed in the window. The client's full-jitter backoff (1 s base, doubling)
 * makes about 5 on average; a tight loop would make hundreds.
 */
const MAX_ATTEMPTS = 15;

/** A port on 127.0.0.1 where nothing listens (bound, read, released). */
async function deadPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A JWT for alice that the server cannot verify (signed with another secret). */
function forgedToken(): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('alice').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode('not the server secret'));
}

/** Counts the WebSockets a page opens. */
function countSockets(page: Page): () => number {
  let sockets = 0;
  page.on('websocket', () => sockets++);
  return () => sockets;
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

  before(async () => {
    [srv, browser] = await Promise.all([startTidings(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('server unreachable at page load: offline state, bounded retries; a refused token: one more getToken(), then unauthorized', async (t) => {
    // 1. The demo served from an origin where Tidings is down: the token request itself fails.
    const down = `http://127.0.0.1:${await deadPort()}`;
    const downContext = await newRecordedContext(browser);
    let downTokens = 0;
    await serveDemoFiles(downContext, down, {
      other(route, path) {
        if (path === '/demo/api/token') downTokens++;
        return route.abort('connectionrefused');
      },
    });
    // 2. A page whose app hands out tokens, with the bell pointed at a Tidings that is down.
    const appContext = await newRecordedContext(browser);
    let appTokens = 0;
    const bell = `<tidings-bell src="${down.replace(/^http/, 'ws')}/inform/" token-url="/token"></tidings-bell>`;
    await serveDemoFiles(appContext, 'http://app.test', {
      pages: { '/bell.html': `<!doctype html><script type="module" src="/static/tidings-bell.js"></script>${bell}` },
      other(route, path) {
        if (path !== '/token') return route.abort('connectionrefused');
        appTokens++;
        return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ token: 'app-token' }) });
      },
    });
    // 3. The real demo, but every token it gets is refused by the server (close 4501).
    const refusedContext = await newRecordedContext(browser);
    const forged = await forgedToken();
    let refusedTokens = 0;
    await refusedContext.route(`${srv.url}/demo/api/token`, (route) => {
      refusedTokens++;
      return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ user: 'alice', token: forged }) });
    });

    const [downPage, appPage, refusedPage] = await Promise.all([downContext.newPage(), appContext.newPage(), refusedContext.newPage()]);
    const [appSockets, refusedSockets] = [countSockets(appPage), countSockets(refusedPage)];
    await Promise.all([downPage.goto(`${down}/?as=alice`), appPage.goto('http://app.test/bell.html'), refusedPage.goto(`${srv.url}/?as=alice`)]);
    const loaded = Date.now();
    await Promise.all([waitForBellState(downPage, 'offline'), waitForBellState(appPage, 'offline'), waitForBellState(refusedPage, 'unauthorized')]);
    const unauthorizedAfter = Date.now() - loaded;
    assert.equal(refusedTokens, 2, 'getToken() once more after the first 4501, then stop');
    assert.equal(refusedSockets(), 2);

    // The observation window, from the pages' load event: count what each client does while nothing changes.
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS - (Date.now() - loaded)));
    const attempts = { down: downTokens, app: appSockets(), appTokens, refusedTokens, refusedSockets: refusedSockets() };
    t.diagnostic(`attempts in the ${WINDOW_MS / 1000} s after page load: ${JSON.stringify(attempts)}; unauthorized ${unauthorizedAfter} ms after load`);
    for (const [what, n] of Object.entries({ down: attempts.down, app: attempts.app })) {
      assert.ok(n >= 2 && n <= MAX_ATTEMPTS, `${what}: ${n} attempts in ${WINDOW_MS} ms (it retries, with backoff)`);
    }
    assert.equal(appTokens, attempts.app, 'one getToken() per attempt');
    assert.deepEqual([refusedTokens, refusedSockets()], [2, 2], 'no retry after unauthorized');

    assert.equal(await bellStatus(downPage), "You're offline. Reconnecting…");
    assert.equal(await bellStatus(refusedPage), 'Sign in to see your notifications.');
    assert.ok((await record(refusedPage)).errors.includes('UNAUTHORIZED'));
    assert.ok((await record(downPage)).errors.includes('TOKEN_FAILED'));
    await Promise.all([screenshot(downPage, 'faults-1-offline'), screenshot(refusedPage, 'faults-2-unauthorized')]);
    assert.equal(refusedTokens, 2, 'opening the panel while unauthorized asks for no token either');
    await Promise.all([downContext.close(), appContext.close(), refusedContext.close()]);
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
