/**
 * Hostile pages and payloads in real Chromium against `tidings serve` (default same-origin policy):
 * script vectors in notifications render as text and run nothing, the demo's pages carry a CSP that the
 * browser enforces, and a page on another origin cannot open a socket, not with a valid token nor with the
 * victim's cookie, nor use that cookie on the HTTP API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bellRows, chromiumSkipReason, launchChromium, newRecordedContext, openBell, openDemoAs, record, screenshot, waitForBellCount } from '../support/browser/browser.js';
import { startPageServer, type PageServer } from '../support/browser/page-server.js';
import type { PageWindow } from '../support/browser/page-types.js';
import { startTidings, type TidingsProcess } from '../support/browser/demo-server.js';

const XSS_COMMENT = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
const XSS_DATA = { from: '<svg onload="window.__xss=3">', article: '<iframe src="javascript:window.__xss=4">', text: '"><img src=/x onerror=window.__xss=5>' };

interface Attempt {
  opened: boolean;
  code: number;
  first: string | null;
}

/** In the page: open a WebSocket, keep its first frame, and report how it ended. */
function tryConnect(url: string): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new (globalThis as unknown as PageWindow).WebSocket(url);
    let opened = false;
    let first: string | null = null;
    const timer = setTimeout(() => resolve({ opened, code: -1, first }), 5000);
    ws.onopen = () => (opened = true);
    ws.onmessage = (event) => {
      first ??= String(event.data);
      ws.close();
    };
    ws.onclose = (event) => {
      clearTimeout(timer);
      resolve({ opened, code: event.code, first });
    };
  });
}

/** Cross-origin requests carrying the cookie: one that needs a CORS preflight, two "simple" ones. */
const CROSS_SITE_WRITES = [
  { what: 'json read_all', path: '/v1/me/read', mode: 'cors', type: 'application/json', body: '{"all":true}' },
  { what: 'form read_all', path: '/v1/me/read', mode: 'no-cors', type: 'text/plain', body: '{"all":true}' },
  { what: 'form comment', path: '/demo/api/comment', mode: 'no-cors', type: 'text/plain', body: '{"text":"csrf"}' },
] as const;

/** In the page: sends {@link CROSS_SITE_WRITES} with credentials; reports how each ended. */
async function crossSiteWrites({ base, writes }: { base: string; writes: typeof CROSS_SITE_WRITES }): Promise<string[]> {
  const outcomes: string[] = [];
  // No nested named functions here: the page gets this function's source only.
  for (const w of writes) {
    try {
      const response = await fetch(base + w.path, { method: 'POST', mode: w.mode, credentials: 'include', headers: { 'content-type': w.type }, body: w.body });
      outcomes.push(`${w.what}: ${response.type} ${response.status}`);
    } catch (err) {
      outcomes.push(`${w.what}: ${(err as Error).name}`);
    }
  }
  return outcomes;
}

async function unreadOf(srv: TidingsProcess, user: string): Promise<number> {
  const response = await fetch(`${srv.url}/v1/users/${user}/unread-count`, { headers: { authorization: `Bearer ${srv.apiKey}` } });
  const body = (await response.json()) as { unread?: unknown; count?: unknown };
  return Number(body.unread ?? body.count);
}

function xssFlag(page: Page): Promise<unknown> {
  return page.evaluate(() => (globalThis as unknown as PageWindow).__xss);
}

/** The demo's pages and assets all carry a CSP without inline or eval script. */
async function assertCspHeaders(base: string): Promise<void> {
  for (const path of ['/', '/?as=alice', '/demo.js', '/demo.css', '/static/tidings-bell.js']) {
    const csp = (await fetch(base + path)).headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/, `${path}: ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${path}: ${csp}`);
    assert.match(csp, /object-src 'none'/, `${path}: ${csp}`);
  }
}

/** The CSP as a second line: markup injected into the page by other means cannot run either. */
async function assertCspEnforced(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as PageWindow).document.body.insertAdjacentHTML('beforeend', '<img src="/x" onerror="window.__xss=6">'));
  await page.waitForFunction(() => ((globalThis as unknown as PageWindow).__e2e?.violations.length ?? 0) > 0, undefined, { timeout: 5000, polling: 20 });
  const { violations } = await record(page);
  assert.ok(violations.some((v) => v.startsWith('script-src')), violations.join(', '));
  assert.equal(await xssFlag(page), undefined);
}

describe('hostile pages and payloads in Chromium', { skip: chromiumSkipReason() }, () => {
  let srv: TidingsProcess;
  let browser: Browser;
  let attacker: PageServer;
  let witness: PageServer;
  const attackerPage = '<!doctype html><meta charset="utf-8"><title>Totally legit</title><h1>Win a prize</h1>';

  before(async () => {
    [srv, browser, attacker, witness] = await Promise.all([
      startTidings(),
      launchChromium(),
      startPageServer({ pages: { '/': attackerPage } }),
      startPageServer({ pages: {} }),
    ]);
  });
  after(async () => {
    await browser?.close();
    await Promise.all([srv?.stop(), attacker?.close(), witness?.close()]);
  });

  it('script vectors in a comment and in notification data are shown as text and run nothing; pages carry a CSP', async () => {
    const [aliceContext, bobContext] = await Promise.all([newRecordedContext(browser), newRecordedContext(browser)]);
    const alice = await openDemoAs(aliceContext, srv.url, 'alice');
    const bob = await openDemoAs(bobContext, srv.url, 'bob');
    await bob.fill('#comment-text', XSS_COMMENT);
    await bob.click('#comment-form button[type="submit"]');
    assert.equal((await srv.api('/v1/notifications', { to: 'alice', kind: 'mention', data: XSS_DATA })).status, 201);
    await waitForBellCount(alice, 2);
    await openBell(alice);

    const rows = await bellRows(alice);
    assert.ok(rows.some((r) => r.includes(XSS_COMMENT.replace(/\s+/g, ' '))), `the comment is visible as text: ${rows.join(' | ')}`);
    assert.ok(rows.some((r) => r.includes(XSS_DATA.from) && r.includes(XSS_DATA.text)), `the payload fields are visible as text: ${rows.join(' | ')}`);
    assert.ok(await bob.getByText(XSS_COMMENT).isVisible(), "bob's own page shows his comment as text");
    const injected = await alice.evaluate(() => {
      const root = (globalThis as unknown as PageWindow).document.querySelector('tidings-bell')?.shadowRoot;
      return Array.from(root?.querySelectorAll('li.item img, li.item script, li.item iframe, li.item [onerror], li.item [onload]') ?? []).length;
    });
    assert.equal(injected, 0, 'no element was made from the payloads');
    assert.equal(await xssFlag(alice), undefined);
    assert.equal(await xssFlag(bob), undefined);
    await screenshot(alice, 'security-1-xss-as-text');

    // Reloaded, the page lists the stored comments too (the demo API's data, rendered as text).
    await alice.reload();
    await alice.locator('#comment-list li', { hasText: XSS_COMMENT }).waitFor({ timeout: 5000 });
    assert.equal(await xssFlag(alice), undefined);
    await assertCspEnforced(alice);
    await assertCspHeaders(srv.url);
    await Promise.all([aliceContext.close(), bobContext.close()]);
  });

  it('a page from another origin cannot connect, not with a valid token nor with the victim\'s cookie', async () => {
    const token = await srv.token('alice');
    const ws = `${srv.url.replace(/^http/, 'ws')}/inform/`;
    const context = await newRecordedContext(browser);
    await context.addCookies([{ name: 'tidings_token', value: token, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Lax' }]);
    const own = await context.newPage();
    const evil = await context.newPage();
    await Promise.all([own.goto(`${srv.url}/favicon.svg`), evil.goto(attacker.url)]);

    // Controls, from Tidings' own origin: the token works, and so does the cookie alone.
    assert.match((await own.evaluate(tryConnect, `${ws}?token=${token}`)).first ?? '', /"type":"hello","user":"alice"/);
    assert.match((await own.evaluate(tryConnect, ws)).first ?? '', /"type":"hello","user":"alice"/);

    // From the attacker's origin: refused before the upgrade (never opened, 1006), with the token or the cookie.
    assert.deepEqual(await evil.evaluate(tryConnect, `${ws}?token=${token}`), { opened: false, code: 1006, first: null });
    assert.deepEqual(await evil.evaluate(tryConnect, ws), { opened: false, code: 1006, first: null });
    // The server's log lines arrive through its stdout pipe, possibly after the browser saw the refusal.
    const refusedLines = (): string[] =>
      srv.logs.filter((line) => line.includes('"msg":"origin refused"') && line.includes(`"origin":"${attacker.url}"`));
    const deadline = Date.now() + 5000;
    while (refusedLines().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(refusedLines().length, 2, 'Tidings refused both for their Origin');
    // The browser does carry the victim's cookie on such a cross-origin socket (the witness sees it), so
    // the Origin check is what stops it.
    await evil.evaluate(tryConnect, `${witness.url.replace(/^http/, 'ws')}/inform/`);
    assert.deepEqual(witness.upgrades, [{ origin: attacker.url, cookie: `tidings_token=${token}` }]);

    // Nor can the attacker use the cookie over HTTP: no CORS for a JSON POST, and a "simple" POST is refused.
    assert.equal((await srv.api('/v1/notifications', { to: 'alice', kind: 'follow', data: { from: 'carol' } })).status, 201);
    const unread = await unreadOf(srv, 'alice');
    assert.ok(unread > 0);
    const outcomes = await evil.evaluate(crossSiteWrites, { base: srv.url, writes: CROSS_SITE_WRITES });
    assert.equal(outcomes[0], 'json read_all: TypeError', outcomes.join(', '));
    assert.equal(await unreadOf(srv, 'alice'), unread, `nothing was marked read nor commented (${outcomes.join(', ')})`);
    await screenshot(evil, 'security-2-attacker-page');
    await context.close();
  });
});
