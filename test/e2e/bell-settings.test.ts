/**
 * In Chromium, on the demo page: the bell's settings view loads the user's channel preferences, saves a
 * change (the server stores it), shows it again after a reload, and offers "Enable desktop notifications"
 * only when the server has Web Push configured.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateVapidKeys } from '../../src/reach/index.js';
import type { TestServer } from '../../src/testing/index.js';
import { chromiumSkipReason, newRecordedContext, openBell, openDemoAs } from '../support/browser/browser.js';
import { withInProcessDemo } from '../support/browser/demo-server.js';

const skip = chromiumSkipReason();
let browser: Browser;
let srv: TestServer;

const vapid = generateVapidKeys();
withInProcessDemo(skip, { vapidPublicKey: vapid.publicKey, vapidPrivateKey: vapid.privateKey, vapidSubject: 'mailto:ops@example.test' }, (s, b) => void ([srv, browser] = [s, b]));

/** Open the bell's settings and wait until they loaded; returns the checkbox states. */
async function openSettings(page: Page): Promise<Record<string, boolean>> {
  await openBell(page);
  await page.locator('tidings-bell details.settings summary').click();
  await page.locator('tidings-bell details.settings input[name=email]:not([disabled])').waitFor({ timeout: 5000 });
  const boxes = page.locator('tidings-bell details.settings input[type=checkbox]');
  const out: Record<string, boolean> = {};
  for (const box of await boxes.all()) out[(await box.getAttribute('name'))!] = await box.isChecked();
  return out;
}

test('the settings view round-trips the channel preferences and offers desktop notifications', { skip }, async () => {
  const context = await newRecordedContext(browser);
  const page = await openDemoAs(context, srv.url, 'alice');
  assert.deepEqual(await openSettings(page), { push: true, email: true, webhook: true });
  await page.locator('tidings-bell .enable-push:not([hidden])').waitFor({ timeout: 5000 });
  await page.locator('tidings-bell details.settings input[name=email]').uncheck();
  await page.locator('tidings-bell details.settings .note', { hasText: 'Saved.' }).waitFor({ timeout: 5000 });
  const stored = await srv.tidings.reach!.store.getPreferences('alice');
  assert.deepEqual(stored.channels, { push: true, email: false, webhook: true });
  await page.reload();
  assert.deepEqual(await openSettings(page), { push: true, email: false, webhook: true });
  await context.close();
});
