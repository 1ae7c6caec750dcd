/**
 * The demo's story in real Chromium against `tidings serve`: alice (two tabs), bob and carol in separate
 * browser contexts. Bob comments -> alice's badge shows 1 within 2 s; carol follows -> 2; an announcement
 * reaches every open page; alice marks read in one tab -> 0 in both; a reload keeps the exact count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  bellCount,
  bellRows,
  chromiumSkipReason,
  launchChromium,
  newRecordedContext,
  openBell,
  openDemoAs,
  record,
  screenshot,
  waitForBellCount,
  waitForBellState,
} from './helpers/browser.js';
import type { PageWindow } from './helpers/page-types.js';
import { startTidings, type TidingsProcess } from './helpers/tidings-process.js';

/** Bob's comment must reach alice's badge within this (the figure). */
const BADGE_WITHIN_MS = 2000;

/** Posts a comment through the demo's form. */
async function comment(page: Page, text: string): Promise<void> {
  await page.fill('#comment-text', text);
  await page.click('#comment-form button[type="submit"]');
}

/** Waits until the bell of `page` lists a broadcast row containing `text`. */
async function waitForBroadcastRow(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (t) => {
      const root = (globalThis as unknown as PageWindow).document.querySelector('tidings-bell')?.shadowRoot;
      return Array.from(root?.querySelectorAll('li.broadcast') ?? []).some((li) => (li.textContent ?? '').includes(t));
    },
    text,
    { timeout: BADGE_WITHIN_MS, polling: 20 },
  );
}

/** How many rows of the bell's list are unread. */
function unreadRows(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelector('tidings-bell')?.shadowRoot?.querySelectorAll('li.item.unread').length ?? 0);
}

describe('the demo story in Chromium', { skip: chromiumSkipReason() }, () => {
  let srv: TidingsProcess;
  let browser: Browser;

  before(async () => {
    [srv, browser] = await Promise.all([startTidings(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('bob comments, carol follows, everyone gets the announcement, alice reads in one tab and both tabs agree', async (t) => {
    // alice's tabs share a context (one user, BroadcastChannel between them); bob and carol share another
    // (the demo keeps each tab's user in sessionStorage and ?as=).
    const [aliceContext, othersContext] = await Promise.all([newRecordedContext(browser), newRecordedContext(browser)]);
    const [alice, aliceTab2, bob, carol] = await Promise.all([
      openDemoAs(aliceContext, srv.url, 'alice'),
      openDemoAs(aliceContext, srv.url, 'alice'),
      openDemoAs(othersContext, srv.url, 'bob'),
      openDemoAs(othersContext, srv.url, 'carol'),
    ]);
    assert.equal(await bellCount(alice), 0);

    await comment(bob, 'Great write-up, thanks!');
    await Promise.all([waitForBellCount(alice, 1, BADGE_WITHIN_MS), waitForBellCount(aliceTab2, 1, BADGE_WITHIN_MS)]);
    // From the form's submit event in bob's page to the badge change in alice's (one machine, one clock).
    const timeToBadge = ((await record(alice)).countAt['1'] ?? Infinity) - (await record(bob)).submittedAt;
    assert.ok(timeToBadge < BADGE_WITHIN_MS, `badge after ${timeToBadge} ms`);
    await screenshot(alice, 'story-1-comment');

    await carol.locator('.person[data-person="alice"] .follow').click();
    await Promise.all([waitForBellCount(alice, 2, BADGE_WITHIN_MS), waitForBellCount(aliceTab2, 2, BADGE_WITHIN_MS)]);
    await carol.locator('.person[data-person="alice"] .follow[aria-pressed="true"]').waitFor({ timeout: 2000 });

    await bob.fill('#announce-text', 'Maintenance tonight at 23:00 UTC');
    await bob.click('#announce-form button[type="submit"]');
    await Promise.all([alice, aliceTab2, bob, carol].map((page) => waitForBroadcastRow(page, 'Maintenance tonight at 23:00 UTC')));
    assert.equal(await bellCount(alice), 2, 'an announcement is not stored: it does not count as unread');
    await screenshot(carol, 'story-2-announcement');

    // Each item is announced (toast hook) in exactly one of alice's two tabs.
    const announced = [...(await record(alice)).announced, ...(await record(aliceTab2)).announced];
    assert.deepEqual(announced.filter((a) => a.startsWith('notification:comment')).length, 1, announced.join(' | '));
    assert.deepEqual(announced.filter((a) => a.startsWith('notification:follow')).length, 1, announced.join(' | '));

    await aliceTab2.reload();
    await waitForBellState(aliceTab2, 'open');
    assert.equal(await bellCount(aliceTab2), 2, 'a reload keeps the exact count');

    await Promise.all([openBell(alice), openBell(aliceTab2)]);
    const rows = await bellRows(alice);
    assert.ok(rows.some((r) => r.includes('carol started following you')), rows.join(' | '));
    assert.ok(rows.some((r) => r.includes('bob commented') && r.includes('Great write-up, thanks!')), rows.join(' | '));
    assert.equal(await unreadRows(aliceTab2), 2);
    await screenshot(alice, 'story-3-bell-open');

    // Mark one read (its check button), then all: both tabs' badges and lists follow.
    await alice.locator('tidings-bell li.item.unread', { hasText: 'carol started following you' }).locator('button.mark').click();
    await Promise.all([waitForBellCount(alice, 1, BADGE_WITHIN_MS), waitForBellCount(aliceTab2, 1, BADGE_WITHIN_MS)]);
    await alice.locator('tidings-bell button.all').click();
    await Promise.all([waitForBellCount(alice, 0, BADGE_WITHIN_MS), waitForBellCount(aliceTab2, 0, BADGE_WITHIN_MS)]);
    await aliceTab2.waitForFunction(
      () => (globalThis as unknown as PageWindow).document.querySelector('tidings-bell')?.shadowRoot?.querySelectorAll('li.item.unread').length === 0,
      undefined,
      { timeout: BADGE_WITHIN_MS, polling: 20 },
    );
    await screenshot(alice, 'story-4-read');

    await alice.reload();
    await waitForBellState(alice, 'open');
    assert.equal(await bellCount(alice), 0, 'a reload keeps the exact count');
    for (const page of [alice, aliceTab2, bob, carol]) assert.deepEqual((await record(page)).errors, []);
    t.diagnostic(`time to badge (bob's submit -> alice's count=1): ${timeToBadge} ms`);
    await Promise.all([aliceContext.close(), othersContext.close()]);
  });
});
