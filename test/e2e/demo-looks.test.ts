/**
 * The demo at desktop and phone widths: alice's page with the bell open on a few notifications (read and
 * unread). The desktop shot is the README's `docs/demo.png` (written there when
 * TIDINGS_UPDATE_DOCS_SCREENSHOT=1, always under test-results/e2e/); at 390 px nothing may overflow sideways
 * and the open panel must fit the screen.
 */
import assert from 'node:assert/strict';
import { copyFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { PHONE, bellRows, chromiumSkipReason, newRecordedContext, openBell, openDemoAs, record, screenshot } from '../support/browser/browser.js';
import type { PageWindow } from '../support/browser/page-types.js';
import { withDemo, type TidingsProcess } from '../support/browser/demo-server.js';

const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/demo.png', import.meta.url));
const MAX_DOCS_BYTES = 200 * 1024;
const ARTICLE = 'Why we stopped polling';

/** Two read notifications, then two unread ones. */
async function seed(srv: TidingsProcess): Promise<void> {
  const send = async (kind: string, data: Record<string, string>) => assert.equal((await srv.api('/v1/notifications', { to: 'alice', kind, data })).status, 201);
  await send('follow', { from: 'carol' });
  await send('comment', { from: 'bob', article: ARTICLE, text: 'How do you keep the unread count right with three tabs open?' });
  const token = await srv.token('alice');
  const read = await fetch(`${srv.url}/v1/me/read`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"all":true}' });
  assert.equal(read.status, 200);
  await send('reply', { from: 'carol', article: ARTICLE, text: 'Replay after a dropped connection was the part I was missing. Thanks!' });
  await send('comment', { from: 'bob', article: ARTICLE, text: 'Just tried it in two windows: the badge updates instantly.' });
}

/** Layout facts of the page with the bell open. */
function layout(page: Page): Promise<{ scrollWidth: number; width: number; panel: { left: number; right: number; bottom: number } | null; bell: { left: number; right: number; top: number } | null }> {
  return page.evaluate(() => {
    const w = globalThis as unknown as PageWindow;
    const bell = w.document.querySelector('tidings-bell');
    const panel = bell?.shadowRoot?.querySelector('.panel')?.getBoundingClientRect() ?? null;
    const button = bell?.shadowRoot?.querySelector('.bell')?.getBoundingClientRect() ?? null;
    return {
      scrollWidth: w.document.documentElement.scrollWidth,
      width: w.innerWidth,
      panel: panel && { left: panel.left, right: panel.right, bottom: panel.bottom },
      bell: button && { left: button.left, right: button.right, top: button.top },
    };
  });
}

describe('the demo at desktop and phone widths', { skip: chromiumSkipReason() }, () => {
  let srv: TidingsProcess;
  let browser: Browser;

  withDemo(async (s, b) => {
    [srv, browser] = [s, b];
    await seed(srv);
  });

  it('desktop: the bell open on read and unread notifications (the README screenshot)', async (t) => {
    const context = await newRecordedContext(browser);
    const alice = await openDemoAs(context, srv.url, 'alice');
    await openBell(alice);
    const rows = await bellRows(alice);
    assert.equal(rows.length, 4, rows.join(' | '));
    assert.match(rows[0] ?? '', /Unread: bob commented on your article “Why we stopped polling”/);
    const path = await screenshot(alice, 'demo-desktop', { x: 0, y: 0, width: 1280, height: 600 });
    const bytes = statSync(path).size;
    assert.ok(bytes < MAX_DOCS_BYTES, `${bytes} bytes`);
    if (process.env.TIDINGS_UPDATE_DOCS_SCREENSHOT === '1') copyFileSync(path, DOCS_SCREENSHOT);
    t.diagnostic(`desktop screenshot: ${(bytes / 1024).toFixed(0)} KB`);
    assert.deepEqual((await record(alice)).errors, []);
    await context.close();
  });

  it('phone (390 px): nothing overflows sideways, the open panel fits the screen', async () => {
    const context = await newRecordedContext(browser, 'phone');
    const alice = await openDemoAs(context, srv.url, 'alice');
    const closed = await layout(alice);
    assert.equal(closed.width, PHONE.width);
    assert.ok(closed.scrollWidth <= closed.width, `page is ${closed.scrollWidth} px wide`);
    assert.ok(closed.bell && closed.bell.left >= 0 && closed.bell.right <= PHONE.width, JSON.stringify(closed.bell));
    await screenshot(alice, 'demo-phone');
    await openBell(alice);
    const open = await layout(alice);
    assert.ok(open.scrollWidth <= open.width, `page is ${open.scrollWidth} px wide with the panel open`);
    assert.ok(open.panel && open.panel.left >= 0 && open.panel.right <= PHONE.width && open.panel.bottom <= PHONE.height, JSON.stringify(open.panel));
    await screenshot(alice, 'demo-phone-bell-open');
    await context.close();
  });
});
