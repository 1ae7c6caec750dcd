/**
 * In Chromium: the service worker shipped in public/ (served by the demo at /tidings-sw.js) shows a
 * notification for a Web Push message built by the server's push channel. The push service is replaced by
 * the DevTools protocol (`ServiceWorker.deliverPushMessage`), which hands the decrypted payload to the
 * worker; encryption and VAPID are covered by test/integration/reach/push.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { pushPayload } from '../../src/reach/index.js';
import type { TestServer } from '../../src/testing/index.js';
import { chromiumSkipReason } from '../support/browser/browser.js';
import { withInProcessDemo } from '../support/browser/demo-server.js';

const skip = chromiumSkipReason();
let browser: Browser;
let srv: TestServer;

withInProcessDemo(skip, {}, (s, b) => void ([srv, browser] = [s, b]));

/** What these page functions use of the browser (the test is compiled without the DOM lib). */
interface WorkerWindow {
  navigator: {
    serviceWorker: {
      register(url: string): Promise<unknown>;
      ready: Promise<{ getNotifications(): Promise<{ title: string; body: string; tag: string; data: unknown }[]> }>;
    };
  };
}

interface Shown {
  title: string;
  body: string;
  tag: string;
  data: unknown;
}

test('a push message delivered to the service worker shows a notification', { skip }, async () => {
  const origin = srv.url;
  const context = await browser.newContext({ bypassCSP: true });
  await context.grantPermissions(['notifications'], { origin });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  let found: (id: string) => void = () => undefined;
  const registered = new Promise<string>((resolve) => (found = resolve));
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string }[] }) => {
    const mine = e.registrations.find((r) => r.scopeURL === `${origin}/`);
    if (mine) found(mine.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  await page.goto(`${origin}/`);
  await page.evaluate(async () => {
    const { navigator } = globalThis as unknown as WorkerWindow;
    await navigator.serviceWorker.register('/tidings-sw.js');
    await navigator.serviceWorker.ready;
  });
  const registrationId = await Promise.race([registered, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no registration within 5 s')), 5000).unref())]);
  const items = [
    { id: 'n1', seq: 1, kind: 'reply', data: { text: 'bob replied <b>hi</b>' }, createdAt: new Date().toISOString() },
    { id: 'n2', seq: 2, kind: 'follow', data: {}, createdAt: new Date().toISOString() },
  ];
  await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: pushPayload({ user: 'alice', payload: { items } }) });
  const shown = await page.waitForFunction(async () => {
    const reg = await (globalThis as unknown as WorkerWindow).navigator.serviceWorker.ready;
    const list = await reg.getNotifications();
    return list.length > 0 ? list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })) : null;
  }, undefined, { timeout: 5000, polling: 50 });
  const list = (await shown.jsonValue()) as Shown[];
  assert.deepEqual(list, [{ title: '2 unread notifications', body: 'bob replied <b>hi</b>\nfollow', tag: 'tidings-alice', data: { user: 'alice', ids: ['n1', 'n2'] } }]);
  await context.close();
});
