/**
 * Case 28, the CI soak: 2,000 sockets churning in waves (a quarter replaced every 2 s) for 40 s while the
 * server publishes notifications and broadcasts to them (see faults/soak.ts). Afterwards, with every socket
 * closed: the server's heap after GC within +10 % of the baseline taken after a warm-up wave, its file
 * descriptors back to the baseline, no listener-leak warning and no error logged; and every socket received
 * every notification published to its user while it was open (seqs 1, 2, … without gap or repeat) and every
 * broadcast of the waves it was open through, once. `npm run soak` runs the same for 10 minutes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mib } from '../support/measured-server.js';
import { runSoak } from './faults/soak.js';

const DURATION_MS = 40_000;
const CONNECTIONS = 2000;

describe('case 28: soak (CI variant)', { timeout: 180_000 }, () => {
  it(`${CONNECTIONS} sockets churning for ${DURATION_MS / 1000} s while publishing: heap +10 % at most, fds back, no listener leak`, async (t) => {
    const r = await runSoak({ durationMs: DURATION_MS, connections: CONNECTIONS, waveMs: 2000 });
    t.diagnostic(
      `figure: 28: ${r.waves} waves, ${r.opened} sockets opened (${CONNECTIONS} open at a time), ${r.notifications} notifications, ${r.broadcasts} broadcasts, ${r.frames} frames received; ` +
        `heap after GC ${mib(r.heapBefore)} -> ${mib(r.heapAfter)} (${r.heapGrowthPct >= 0 ? '+' : ''}${r.heapGrowthPct.toFixed(1)} %); fds ${r.fdsBefore} -> ${r.fdsAfter}; ` +
        `RSS ${mib(r.rssBefore)} -> ${mib(r.rssAfter)}; listener warnings ${r.listenerWarnings.length}; errors logged ${r.problems.length}`,
    );
    assert.ok(r.waves >= 10, `${r.waves} waves`);
    assert.ok(r.notifications > 0 && r.broadcasts > 0, `${r.notifications} notifications, ${r.broadcasts} broadcasts`);
    assert.deepEqual(r.delivery.slice(0, 10), [], `${r.delivery.length} sockets did not receive what they should`);
    assert.ok(r.heapGrowthPct <= 10, `heap grew ${r.heapGrowthPct.toFixed(1)} %`);
    assert.ok(r.fdsAfter <= r.fdsBefore, `fds ${r.fdsBefore} -> ${r.fdsAfter}`);
    assert.deepEqual(r.listenerWarnings, []);
    assert.deepEqual(r.problems, []);
  });
});
