/**
 * The open panel with 30 notifications scrolls: only the list moves (the head with "Mark all as read" stays
 * put), the first open loads one page, and the next page comes as the user nears the end. Driven with the
 * mouse wheel and with the keyboard (End / Home), at desktop and phone width.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkipReason, newRecordedContext, openBell, openDemoAs } from '../support/browser/browser.js';
import { withDemo, type TidingsProcess } from '../support/browser/demo-server.js';

const TOTAL = 30;
const PAGE = 20;

/** What the test reads of the panel: scroll positions, where the head is, how many rows are loaded. */
interface PanelFacts {
  listTop: number;
  listMax: number;
  panelTop: number;
  headTop: number;
  markAllVisible: boolean;
  rows: number;
  footer: string;
  focused: string;
}

function facts(page: Page): Promise<PanelFacts> {
  return page.locator('tidings-bell').evaluate((host: unknown) => {
    interface El {
      scrollTop: number;
      scrollHeight: number;
      clientHeight: number;
      textContent: string | null;
      getBoundingClientRect(): { top: number; bottom: number };
      querySelector(s: string): El | null;
      querySelectorAll(s: string): ArrayLike<El>;
      activeElement?: El | null;
      closest(s: string): El | null;
      dataset: Record<string, string>;
    }
    // No helper functions in here: the bundler would wrap them in a `__name` call the page does not have.
    const root = (host as { shadowRoot: El }).shadowRoot;
    const [scroller, panelEl, head, all, more] = ['.scroller', '.panel', '.head', '.all', '.more'].map((s) => root.querySelector(s) as El) as [El, El, El, El, El];
    const panel = panelEl.getBoundingClientRect();
    const mark = all.getBoundingClientRect();
    const active = root.activeElement?.closest('li');
    return {
      listTop: scroller.scrollTop,
      listMax: scroller.scrollHeight - scroller.clientHeight,
      panelTop: panelEl.scrollTop,
      headTop: head.getBoundingClientRect().top - panel.top,
      markAllVisible: mark.top >= panel.top && mark.bottom <= panel.bottom,
      rows: root.querySelectorAll('li.item').length,
      footer: more.textContent ?? '',
      focused: active?.dataset.id ?? '',
    };
  });
}

async function until(page: Page, test: (f: PanelFacts) => boolean, what: string, timeout = 5000): Promise<PanelFacts> {
  const started = Date.now();
  for (;;) {
    const f = await facts(page);
    if (test(f)) return f;
    if (Date.now() - started > timeout) throw new Error(`${what}: ${JSON.stringify(f)}`);
    await page.waitForTimeout(30); // polling the page's layout: there is no event for "scrolled far enough"
  }
}

describe('the bell panel scrolls', { skip: chromiumSkipReason() }, () => {
  let srv: TidingsProcess;
  let browser: Browser;

  withDemo(async (s, b) => {
    [srv, browser] = [s, b];
    for (let i = 1; i <= TOTAL; i++) {
      const { status } = await srv.api('/v1/notifications', { to: 'alice', kind: 'comment', data: { from: 'bob', article: `Post ${i}`, text: `Comment ${i}` } });
      assert.equal(status, 201);
    }
  });

  for (const device of ['desktop', 'phone'] as const) {
    it(`${device}: the wheel scrolls the list only, and the next page loads near the end`, async () => {
      const context = await newRecordedContext(browser, device);
      const page = await openDemoAs(context, srv.url, 'alice');
      await openBell(page);
      const first = await facts(page);
      assert.equal(first.rows, PAGE, 'one page on open, not every page');
      assert.ok(first.listMax > 0, 'the list overflows its box');
      const head = first.headTop;
      const box = await page.locator('tidings-bell .scroller').boundingBox();
      assert.ok(box);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, 300);
      const moved = await until(page, (f) => f.listTop > 0, 'the wheel did not scroll the list');
      assert.equal(moved.panelTop, 0);
      assert.equal(moved.headTop, head);
      assert.ok(moved.markAllVisible);
      assert.equal(moved.rows, PAGE, 'no page loaded far from the end');
      // Wheel to the end: the second page comes, and the end of the inbox shows. A wheel event the busy page
      // did not turn into a scroll is sent again (the loop is bounded; the assertions after it decide).
      const done = (f: PanelFacts) => f.rows === TOTAL && f.footer === 'No older notifications' && f.listTop >= f.listMax - 1;
      let end = moved;
      for (let i = 0; i < 40 && !done(end); i++) {
        const from = end;
        await page.mouse.wheel(0, 600);
        end = await until(page, (f) => f.listTop > from.listTop || f.rows > from.rows || done(f), 'the wheel stopped scrolling', 1000).catch(() => facts(page));
      }
      assert.equal(end.rows, TOTAL);
      assert.equal(end.footer, 'No older notifications');
      assert.equal(end.panelTop, 0);
      assert.equal(end.headTop, head);
      await context.close();
    });

    it(`${device}: End and Home move through the list; the head stays`, async () => {
      const context = await newRecordedContext(browser, device);
      const page = await openDemoAs(context, srv.url, 'alice');
      await openBell(page);
      const head = (await facts(page)).headTop;
      await page.locator('tidings-bell li.item .entry').first().focus();
      await page.keyboard.press('End');
      const atEnd = await until(page, (f) => f.listTop > 0 && f.focused !== '', 'End did not scroll the list');
      assert.equal(atEnd.panelTop, 0, 'End scrolled the panel, not the list');
      assert.equal(atEnd.headTop, head);
      assert.ok(atEnd.markAllVisible, '"Mark all as read" scrolled away');
      // Nearing the end loaded the next page; End again reaches the last row of the inbox.
      await until(page, (f) => f.rows === TOTAL, 'the next page never came');
      await page.keyboard.press('End');
      const last = await until(page, (f) => f.listTop >= f.listMax - 1, 'End did not reach the bottom');
      assert.equal(last.panelTop, 0);
      await page.keyboard.press('Home');
      const top = await until(page, (f) => f.listTop === 0, 'Home did not go back up');
      assert.equal(top.headTop, head);
      await context.close();
    });
  }
});
