/**
 * The demo's story in real Chromium against `tidings serve`: alice (two tabs), bob and carol in separate
 * browser contexts. Bob comments -> alice's badge shows 1 within 2 s; carol follows -> 2; an announcement
 * reaches every open page; alice marks read in one tab -> 0 in both; a reload keeps the exact count.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  bellCount,
  bellRows,
  chromiumSkipReason,
  newRecordedContext,
  openBell,
  openDemoAs,
  record,
  screenshot,
  waitForBellCount,
  waitForBellState,
} from '../support/browser/browser.js';
import type { PageWindow } from '../support/browser/page-types.js';
import { withDemo, type TidingsProcess } from '../support/browser/demo-server.js';

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

/** The pages of the story: alice in two tabs, bob and carol. */
interface Cast {
  alice: Page;
  aliceTab2: Page;
  bob: Page;
  carol: Page;
  close(): Promise<void>;
}

/**
 * alice's tabs share a context (one user, BroadcastChannel between them); bob and carol share another (the
 * demo keeps each tab's user in sessionStorage and ?as=).
 */
async function openCast(browser: Browser, url: string): Promise<Cast> {
  const [aliceContext, othersContext] = await Promise.all([newRecordedContext(browser), newRecordedContext(browser)]);
  const [alice, aliceTab2, bob, carol] = await Promise.all([
    openDemoAs(aliceContext, url, 'alice'),
    openDemoAs(aliceContext, url, 'alice'),
    openDemoAs(othersContext, url, 'bob'),
    openDemoAs(othersContext, url, 'carol'),
  ]);
  return { alice, aliceTab2, bob, carol, close: async () => void (await Promise.all([aliceContext.close(), othersContext.close()])) };
}

/** Bob announces: every open page lists it; nothing is stored, so alice's count does not move. */
async function announce({ alice, aliceTab2, bob, carol }: Cast): Promise<void> {
  const text = 'Maintenance tonight at 23:00 UTC';
  await bob.fill('#announce-text', text);
  await bob.click('#announce-form button[type="submit"]');
  await Promise.all([alice, aliceTab2, bob, carol].map((page) => waitForBroadcastRow(page, text)));
  assert.equal(await bellCount(alice), 2, 'an announcement is not stored: it does not count as unread');
  await screenshot(carol, 'story-1-announcement');
}

/** alice opens the bell in both tabs, marks one read (its check button), then all, in the first tab. */
async function readInOneTab({ alice, aliceTab2 }: Cast): Promise<void> {
  await Promise.all([openBell(alice), openBell(aliceTab2)]);
  const rows = await bellRows(alice);
  assert.ok(rows.some((r) => r.includes('carol started following you')), rows.join(' | '));
  assert.ok(rows.some((r) => r.includes('bob commented') && r.includes('Great write-up, thanks!')), rows.join(' | '));
  assert.equal(await unreadRows(aliceTab2), 2);
  await screenshot(alice, 'story-2-bell-open');

  await alice.locator('tidings-bell li.item.unread', { hasText: 'carol started following you' }).locator('button.mark').click();
  await Promise.all([waitForBellCount(alice, 1, BADGE_WITHIN_MS), waitForBellCount(aliceTab2, 1, BADGE_WITHIN_MS)]);
  await alice.locator('tidings-bell button.all').click();
  await Promise.all([waitForBellCount(alice, 0, BADGE_WITHIN_MS), waitForBellCount(aliceTab2, 0, BADGE_WITHIN_MS)]);
  // The other tab's open list follows too (the read change is relayed between tabs).
  await aliceTab2.waitForFunction(
    () => (globalThis as unknown as PageWindow).document.querySelector('tidings-bell')?.shadowRoot?.querySelectorAll('li.item.unread').length === 0,
    undefined,
    { timeout: BADGE_WITHIN_MS, polling: 20 },
  );
}

/** Reloads `page` and checks that its badge comes back with exactly `count`. */
async function reloadKeeps(page: Page, count: number): Promise<void> {
  await page.reload();
  await waitForBellState(page, 'open');
  assert.equal(await bellCount(page), count, 'a reload keeps the exact count');
}

describe('the demo story in Chromium', { skip: chromiumSkipReason() }, () => {
  let srv: TidingsProcess;
  let browser: Browser;

  withDemo((s, b) => void ([srv, browser] = [s, b]));

  it('bob comments, carol follows, everyone gets the announcement, alice reads in one tab and both tabs agree', async (t) => {
    const cast = await openCast(browser, srv.url);
    const { alice, aliceTab2, bob, carol } = cast;
    assert.equal(await bellCount(alice), 0);

    await comment(bob, 'Great write-up, thanks!');
    await Promise.all([waitForBellCount(alice, 1, BADGE_WITHIN_MS), waitForBellCount(aliceTab2, 1, BADGE_WITHIN_MS)]);
    // From the form's submit event in bob's page to the badge change in alice's (one machine, one clock).
    const timeToBadge = ((await record(alice)).countAt['1'] ?? Infinity) - (await record(bob)).submittedAt;
    assert.ok(timeToBadge < BADGE_WITHIN_MS, `badge after ${timeToBadge} ms`);

    await carol.locator('.person[data-person="alice"] .follow').click();
    await Promise.all([waitForBellCount(alice, 2, BADGE_WITHIN_MS), waitForBellCount(aliceTab2, 2, BADGE_WITHIN_MS)]);
    await carol.locator('.person[data-person="alice"] .follow[aria-pressed="true"]').waitFor({ timeout: 2000 });

    await announce(cast);
    // Each item is announced (the toast hook) in exactly one of alice's two tabs.
    const announced = [...(await record(alice)).announced, ...(await record(aliceTab2)).announced];
    assert.equal(announced.filter((a) => a.startsWith('notification:comment')).length, 1, announced.join(' | '));
    assert.equal(announced.filter((a) => a.startsWith('notification:follow')).length, 1, announced.join(' | '));

    await reloadKeeps(aliceTab2, 2);
    await readInOneTab(cast);
    await reloadKeeps(alice, 0);
    await alice.locator('#comment-list li', { hasText: 'Great write-up, thanks!' }).waitFor({ timeout: 5000 });
    for (const page of [alice, aliceTab2, bob, carol]) assert.deepEqual((await record(page)).errors, []);
    t.diagnostic(`time to badge (bob's submit -> alice's count=1): ${timeToBadge} ms`);
    await cast.close();
  });
});
