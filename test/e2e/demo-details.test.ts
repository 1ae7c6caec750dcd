/**
 * The demo's small things: an announcement's sender gets no toast of it, the others do; toasts stay clear
 * of the "Send to everyone" button and wait while hovered; an announcement is still in the list after a
 * reload.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkipReason, newRecordedContext, openBell, openDemoAs, waitForBellState } from '../support/browser/browser.js';
import { withDemo, type TidingsProcess } from '../support/browser/demo-server.js';

const TEXT = 'Deploy freeze from 17:00';

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function listHasAnnouncement(page: Page): Promise<void> {
  await page.locator('tidings-bell li.item.broadcast', { hasText: TEXT }).waitFor({ timeout: 5000 });
}

describe('demo details', { skip: chromiumSkipReason() }, () => {
  let srv: TidingsProcess;
  let browser: Browser;

  withDemo((s, b) => void ([srv, browser] = [s, b]));

  for (const device of ['desktop', 'phone'] as const) {
    it(`${device}: no toast for the sender, a toast clear of the button that waits on hover, and the list after a reload`, async () => {
      const [bobContext, carolContext] = [await newRecordedContext(browser, device), await newRecordedContext(browser, device)];
      const bob = await openDemoAs(bobContext, srv.url, 'bob');
      const carol = await carolContext.newPage();
      await carol.clock.install();
      await carol.goto(`${srv.url}/?as=carol`);
      await waitForBellState(carol, 'open');

      await bob.fill('#announce-text', `${TEXT} (${device})`);
      await bob.click('#announce-form button[type="submit"]');
      const toast = carol.locator('#toasts .toast', { hasText: TEXT });
      await toast.waitFor({ timeout: 5000 });
      await openBell(bob);
      await listHasAnnouncement(bob);
      assert.equal(await bob.locator('#toasts .toast').count(), 0, 'the sender sees it in the list, without a toast');

      const button = carol.locator('#announce-form button[type="submit"]');
      await button.scrollIntoViewIfNeeded();
      const [toastBox, buttonBox] = [await toast.boundingBox(), await button.boundingBox()];
      assert.ok(toastBox && buttonBox);
      assert.equal(overlaps(toastBox, buttonBox), false, `toast ${JSON.stringify(toastBox)} over the button ${JSON.stringify(buttonBox)}`);

      await toast.hover();
      await carol.clock.runFor(10_000);
      assert.equal(await toast.count(), 1, 'a hovered toast waits');
      await carol.mouse.move(1, 1);
      await carol.clock.runFor(10_000);
      await toast.waitFor({ state: 'detached', timeout: 5000 });

      await carol.reload();
      await waitForBellState(carol, 'open');
      await openBell(carol);
      await listHasAnnouncement(carol);
      await Promise.all([bobContext.close(), carolContext.close()]);
    });
  }
});
