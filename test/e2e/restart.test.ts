/**
 * A crash in the middle of the story: `tidings serve` is killed with SIGKILL and started again on the same port
 * and database while bob comments twice through the HTTP API. Alice's page must reconnect by itself and show
 * exactly two more: nothing missed, nothing twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bellCount, bellRows, chromiumSkipReason, newRecordedContext, openBell, openDemoAs, record, screenshot, waitForBellCount, waitForBellState, waitForStateEvent } from '../support/browser/browser.js';
import type { BellNode, PageWindow } from '../support/browser/page-types.js';
import { withDemo, type TidingsProcess } from '../support/browser/demo-server.js';

const RECONNECT_WITHIN_MS = 15_000;

interface Seen {
  seq: number;
  id: string;
  replayed: boolean;
}

/** Starts keeping every notification the bell's client emits in `window.__seen`. */
async function watchNotifications(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as PageWindow & { __seen: Seen[] };
    w.__seen = [];
    const bell = w.document.querySelector('tidings-bell') as BellNode;
    bell.client?.on('notification', (n) => w.__seen.push({ seq: n.seq, id: n.id, replayed: n.replayed }));
  });
}

function seen(page: Page): Promise<Seen[]> {
  return page.evaluate(() => (globalThis as unknown as { __seen: Seen[] }).__seen);
}

async function bobComments(srv: TidingsProcess, text: string): Promise<void> {
  const { status, body } = await srv.api('/v1/notifications', { to: 'alice', kind: 'comment', data: { from: 'bob', article: 'Why we stopped polling', text } });
  assert.equal(status, 201, JSON.stringify(body));
}

describe('a server crash in Chromium', { skip: chromiumSkipReason() }, () => {
  let srv: TidingsProcess;
  let browser: Browser;

  withDemo((s, b) => void ([srv, browser] = [s, b]));

  it('SIGKILL and restart while bob comments twice: alice reconnects by herself and shows exactly 2 more', async (t) => {
    const context = await newRecordedContext(browser);
    const alice = await openDemoAs(context, srv.url, 'alice');
    await bobComments(srv, 'before the crash');
    await waitForBellCount(alice, 1);
    await watchNotifications(alice);
    await openBell(alice); // the open list must take the replayed items too

    // Hold the token request of alice's reconnect until both comments are stored, so that they are
    // certainly published while she is away (the reconnect itself is the client's own, with its backoff).
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tokenRequests: number[] = [];
    await alice.route('**/demo/api/token', async (route) => {
      tokenRequests.push(Date.now());
      await gate;
      await route.continue();
    });

    const statesBefore = (await record(alice)).states.length;
    const killedAt = Date.now();
    await srv.kill();
    await waitForStateEvent(alice, 'offline', statesBefore);
    await screenshot(alice, 'restart-1-offline');
    await srv.restart();
    const listeningAt = Date.now();
    await bobComments(srv, 'during the outage, 1');
    await bobComments(srv, 'during the outage, 2');
    const storedAt = Date.now();
    release();

    await waitForBellCount(alice, 3, RECONNECT_WITHIN_MS);
    await waitForBellState(alice, 'open');
    const showedAt = (await record(alice)).countAt['3'] ?? NaN; // in the page, when the badge turned 3
    const notes = await seen(alice);
    assert.deepEqual(notes.map((n) => n.seq), [2, 3], 'exactly the two missed notifications, in order');
    assert.equal(new Set(notes.map((n) => n.id)).size, 2, 'no duplicate');
    assert.ok(notes.every((n) => n.replayed), 'both came from the replay after the reconnect');
    assert.ok(tokenRequests.length >= 1, 'the client asked for a token to reconnect');

    const rows = await bellRows(alice);
    assert.equal(rows.length, 3, rows.join(' | '));
    assert.match(rows[0] ?? '', /during the outage, 2/);
    assert.equal(await bellCount(alice), 3);
    assert.deepEqual((await record(alice)).errors.filter((code) => code !== 'TOKEN_FAILED' && code !== 'NETWORK_ERROR'), []);
    await screenshot(alice, 'restart-2-reconnected');
    t.diagnostic(`kill -> restarted: ${listeningAt - killedAt} ms; restarted -> alice's badge +2: ${showedAt - listeningAt} ms (${showedAt - storedAt} ms after both were stored); first reconnect attempt after the kill: ${(tokenRequests[0] ?? NaN) - killedAt} ms`);
    await context.close();
  });
});
