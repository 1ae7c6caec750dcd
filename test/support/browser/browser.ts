/**
 * Chromium for the e2e tests: Debian's `/usr/bin/chromium` driven by playwright-core (never a downloaded
 * browser), pages recorded from the first script on, screenshots under `test-results/e2e/`, and waits on
 * the `<tidings-bell>` element's reflected `count` and `state` attributes.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { BellNode, PageRecord, PageWindow } from './page-types.js';
import { skipOrFail } from '../services/skip.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where every e2e screenshot goes (git-ignored). */
export const RESULTS_DIR = join(ROOT, 'test-results/e2e');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * `undefined` when Chromium is installed, else a skip reason. Under CI=true a missing Chromium throws, so
 * the suite fails instead of skipping (`.ci/run` installs Debian's `chromium`).
 */
export function chromiumSkipReason(): string | undefined {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return undefined;
  } catch {
    return skipOrFail(`Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium); never download a browser`);
  }
}

/** Headless Debian Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** Runs in every page before its own scripts: records the bell's events and CSP violations. */
function installRecorder(): void {
  const w = globalThis as unknown as PageWindow;
  const record: PageRecord = { announced: [], errors: [], states: [], violations: [], countAt: {}, submittedAt: 0 };
  w.__e2e = record;
  new w.MutationObserver((records) => {
    for (const { target } of Array.from(records)) {
      const count = target.getAttribute('count');
      if (count !== null && !(count in record.countAt)) record.countAt[count] = Date.now();
    }
  }).observe(w.document, { subtree: true, attributes: true, attributeFilter: ['count'] });
  w.document.addEventListener('tidings-announce', (event) => {
    const a = event.detail as { type: string; notification?: { kind: string; data: { text?: string } }; broadcast?: { kind: string; data: { text?: string } } };
    const item = a.notification ?? a.broadcast;
    record.announced.push(`${a.type}:${item?.kind}:${item?.data.text ?? ''}`);
  });
  w.document.addEventListener('tidings-error', (event) => record.errors.push(String((event.detail as { code?: unknown }).code)));
  w.document.addEventListener('tidings-state', (event) => record.states.push(String(event.detail)));
  w.document.addEventListener('submit', () => (record.submittedAt = Date.now()), true);
  w.document.addEventListener('securitypolicyviolation', (event) => record.violations.push(String(event.violatedDirective)));
}

/** A context whose pages all run the recorder; `phone` emulates a 390 px wide touch screen. */
export async function newRecordedContext(browser: Browser, device: 'desktop' | 'phone' = 'desktop'): Promise<BrowserContext> {
  const screen = device === 'phone' ? { viewport: PHONE, isMobile: true, hasTouch: true } : { viewport: DESKTOP };
  // Reduced motion: the demo and the bell skip their animations (less work on a busy CI machine).
  const context = await browser.newContext({ ...screen, reducedMotion: 'reduce' });
  await context.addInitScript(installRecorder);
  return context;
}

/** A new page of `context` on the demo as `user`, once its bell is connected. */
export async function openDemoAs(context: BrowserContext, baseUrl: string, user: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/?as=${user}`);
  await waitForBellState(page, 'open');
  return page;
}

/** The page's recorded events. */
export function record(page: Page): Promise<PageRecord> {
  return page.evaluate(() => (globalThis as unknown as PageWindow).__e2e as PageRecord);
}

/** The bell's reflected `count` attribute as a number (NaN when absent). */
export async function bellCount(page: Page): Promise<number> {
  return Number(await page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelector('tidings-bell')?.getAttribute('count')));
}

/** Waits until the bell's `count` attribute is `count`; resolves with the milliseconds waited. */
export async function waitForBellCount(page: Page, count: number, timeout = 5000): Promise<number> {
  const started = Date.now();
  await page.waitForFunction(
    (n) => (globalThis as unknown as PageWindow).document.querySelector('tidings-bell')?.getAttribute('count') === String(n),
    count,
    { timeout, polling: 20 },
  );
  return Date.now() - started;
}

/** Waits until the bell's `state` attribute is `state`; resolves with the milliseconds waited. */
export async function waitForBellState(page: Page, state: string, timeout = 10_000): Promise<number> {
  const started = Date.now();
  await page.waitForFunction(
    (s) => (globalThis as unknown as PageWindow).document.querySelector('tidings-bell')?.getAttribute('state') === s,
    state,
    { timeout, polling: 20 },
  );
  return Date.now() - started;
}

/**
 * Waits until the bell has emitted `state` (a `tidings-state` event) after its first `after` state events:
 * unlike {@link waitForBellState} this cannot miss a state that lasted less than a poll.
 */
export async function waitForStateEvent(page: Page, state: string, after: number, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([s, n]) => ((globalThis as unknown as PageWindow).__e2e?.states ?? []).slice(n).includes(s),
    [state, after] as const,
    { timeout, polling: 20 },
  );
}

/** Opens the bell's panel and waits for its first page of notifications (or its empty state). */
export async function openBell(page: Page): Promise<void> {
  await page.locator('tidings-bell button.bell').click();
  await page.waitForFunction(
    () => {
      const root = ((globalThis as unknown as PageWindow).document.querySelector('tidings-bell') as BellNode | null)?.shadowRoot;
      const more = root?.querySelector('.more')?.textContent ?? '';
      return !!root && !root.querySelector('.panel')?.hidden && more !== 'Loading…' && (root.querySelectorAll('li.item').length > 0 || !root.querySelector('.empty')?.hidden);
    },
    undefined,
    { timeout: 5000, polling: 20 },
  );
}

/** The text of each row in the bell's list, top first. */
export function bellRows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as PageWindow).document.querySelector('tidings-bell')?.shadowRoot;
    return Array.from(root?.querySelectorAll('li.item') ?? []).map((li) => li.textContent ?? '');
  });
}

/**
 * Saves a viewport screenshot (or the `clip` of it) as `test-results/e2e/<name>.png`; resolves with the path.
 * Animations are finished first: a page in a background tab may not have run its entrance animations yet.
 */
export async function screenshot(page: Page, name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', ...(clip && { clip }) });
  return path;
}
