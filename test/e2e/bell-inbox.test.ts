/**
 * Inbox management in the bell, in two tabs of one user against the real server: archive, mark unread,
 * the Unread and All tabs, and "Archive all read". Both tabs' badges stay exact after every change, the
 * count going up included, and an archived row leaves both lists.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bellRows, chromiumSkipReason, newRecordedContext, openBell, openDemoAs, waitForBellCount } from '../support/browser/browser.js';
import type { PageWindow } from '../support/browser/page-types.js';
import { withDemo, type TidingsProcess } from '../support/browser/demo-server.js';

const row = (page: Page, text: string) => page.locator('tidings-bell li.item', { hasText: text });

async function waitForRows(page: Page, count: number): Promise<string[]> {
  await page.locator('tidings-bell li.item').nth(count - 1).waitFor({ timeout: 5000 });
  await page.waitForFunction((n) => (globalThis as unknown as PageWindow).document.querySelector('tidings-bell')?.shadowRoot?.querySelectorAll('li.item').length === n, count, { timeout: 5000, polling: 20 });
  return bellRows(page);
}

describe('inbox management in the bell', { skip: chromiumSkipReason() }, () => {
  let srv: TidingsProcess;
  let browser: Browser;

  withDemo(async (s, b) => {
    [srv, browser] = [s, b];
    for (const n of [1, 2, 3, 4]) assert.equal((await srv.api('/v1/notifications', { to: 'alice', kind: 'comment', data: { from: 'bob', article: `Post ${n}` } })).status, 201);
  });

  it('archive, mark unread, Unread/All and archive-all-read keep both tabs exact', async () => {
    const context = await newRecordedContext(browser);
    const [one, two] = [await openDemoAs(context, srv.url, 'alice'), await openDemoAs(context, srv.url, 'alice')];
    await Promise.all([waitForBellCount(one, 4), waitForBellCount(two, 4)]);
    await openBell(one);
    await openBell(two);

    await row(one, 'Post 4').locator('.archive').click();
    await Promise.all([waitForBellCount(one, 3), waitForBellCount(two, 3)]);
    assert.equal((await waitForRows(two, 3)).some((r) => r.includes('Post 4')), false, 'gone from the other tab too');

    await row(one, 'Post 3').locator('.mark').click();
    await Promise.all([waitForBellCount(one, 2), waitForBellCount(two, 2)]);
    await row(one, 'Post 3').locator('.unmark').click();
    await Promise.all([waitForBellCount(one, 3), waitForBellCount(two, 3)]); // the count goes up in both
    await row(two, 'Post 3').locator('.mark').waitFor({ timeout: 5000 });

    await row(one, 'Post 1').locator('.mark').click();
    await Promise.all([waitForBellCount(one, 2), waitForBellCount(two, 2)]);
    await one.locator('tidings-bell .tab', { hasText: 'Unread' }).click();
    const unread = await waitForRows(one, 2);
    assert.deepEqual(unread.map((r) => /Post \d/.exec(r)?.[0]), ['Post 3', 'Post 2']);
    await one.locator('tidings-bell .tab', { hasText: 'All' }).click();
    await waitForRows(one, 3);

    await one.locator('tidings-bell .archive-read').click();
    assert.deepEqual((await waitForRows(one, 2)).map((r) => /Post \d/.exec(r)?.[0]), ['Post 3', 'Post 2']);
    await waitForRows(two, 2);
    assert.equal(await one.locator('tidings-bell').getAttribute('count'), '2');
    await context.close();
  });
});
