/**
 * Regression cases for the numbered defects of issue 13 that the model-based checker found, each the exact
 * schedule the checker replays (runner.ts); each failed before its fix. A failure the checker found only
 * with timing it cannot replay exactly (defect 7: a catch-up on a slow database) has its regression test in
 * test/integration/notify/guarantees.test.ts instead.
 */
import { describe, it } from 'node:test';
import { executeRun } from './checker/runner.js';
import type { Run, RunSettings, Step } from './checker/schedule.js';

const DEFAULTS: RunSettings = { capacity: 100, replayLimit: 1000, groupExpiry: 86_400 };
const run = (settings: Partial<RunSettings>, steps: Step[]): Run => ({ shape: 'sqlite', users: 1, settings: { ...DEFAULTS, ...settings }, steps });
const open = (kind: 'raw' | 'client', since: 'none' | 'zero' = 'none'): Step => ({ op: 'open', user: 0, kind, proc: 0, since, back: 0 });

describe('issue 13 defects, as checker schedules (SQLite, one process)', { timeout: 60_000 }, () => {
  it('1: a burst of 300 to one user over capacity 100 reaches an open tab in full', () =>
    executeRun(run({}, [open('raw'), { op: 'burst', user: 0, n: 300, via: 'sdk', proc: 0, bytes: 0 }])));

  it('1 (client, one multi-recipient request): 150 entries for one user all reach the browser client', () =>
    executeRun(run({}, [open('client'), { op: 'burst', user: 0, n: 150, via: 'multi', proc: 0, bytes: 0 }])));

  it('2: with groupExpiry 2 s, a tab open for 3 s still receives', () =>
    executeRun(run({ groupExpiry: 2 }, [open('raw'), { op: 'idle', ms: 3_000 }, { op: 'burst', user: 0, n: 1, via: 'sdk', proc: 0, bytes: 0 }])));

  it('3: after a gap beyond replayLimit, no notification comes after resumed{seq} with seq <= it', () =>
    executeRun(run({ replayLimit: 2 }, [open('raw'), { op: 'stored-only', user: 0, n: 3 }, { op: 'burst', user: 0, n: 1, via: 'sdk', proc: 0, bytes: 0 }])));

  it('4: a replay of 60 x 20 KB from since=0 does not close a prompt tab with 4002', () =>
    executeRun(run({}, [{ op: 'burst', user: 0, n: 60, via: 'http', proc: 0, bytes: 20_000 }, open('raw', 'zero')])));
});
