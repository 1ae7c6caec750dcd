/**
 * (f) Slow consumer: fan-out at max rate with 4 KiB messages, first with every socket reading, then with
 * one extra socket that never reads. The server should close it (Tidings: 4002 once its unsent bytes pass
 * the cap) and the others' latency should not change. Reported: both p99s, their ratio, how the slow socket
 * ended, and how much the server's memory grew meanwhile.
 */
import { connectRawClient, type RawClient } from '../load/raw-client.js';
import { BENCH_HOST } from '../lib/net-util.js';
import { waitUntil } from '../lib/time.js';
import type { Target, TargetInstance } from '../targets/types.js';
import { connectAll, round, size, subscribers, warmUp, withSetup } from './common.js';
import { WINDOW } from './fanout.js';
import { deliveriesPerSecond, loadNote, phaseFailures, runFanoutPhase, type FanoutPhaseResult } from './fanout-phase.js';
import type { Measurement, Metric, Scenario, ScenarioContext } from './types.js';

/** Big messages, so the never-reading socket passes kernel buffers (~4 MB on loopback) and the cap quickly. */
const PAD = 'x'.repeat(4096);

function connectSlow(instance: TargetInstance): Promise<RawClient> {
  return connectRawClient({
    host: BENCH_HOST,
    port: instance.port,
    path: instance.subscriberPath('slow'),
    needles: [Buffer.from('"type":"broadcast"')],
    capture: false,
    paused: true,
    timeoutMs: 15_000,
  });
}

/** Read what the slow socket was sent, to learn how it ended: a close code, a cut connection, or still open. */
async function slowEnding(client: RawClient, ms: number): Promise<{ code: number | null; ended: boolean }> {
  client.resume();
  await waitUntil(() => client.ended || client.closeCode !== null, ms);
  return { code: client.closeCode, ended: client.ended };
}

function metrics(base: FanoutPhaseResult, slow: FanoutPhaseResult, ending: { code: number | null; ended: boolean }): Metric[] {
  const p99Ratio = base.latency.p99 && slow.latency.p99 ? slow.latency.p99 / base.latency.p99 : null;
  return [
    { key: 'p99_base', label: 'others p99, all reading', unit: 'ms', value: base.latency.p99, better: 'lower' },
    { key: 'p99_slow', label: 'others p99, one never reads', unit: 'ms', value: slow.latency.p99, better: 'lower', chart: true },
    { key: 'p99_ratio', label: 'others p99 ratio (slow / all reading)', unit: '×', value: p99Ratio, better: 'lower', goal: { max: 1.2 } },
    { key: 'deliveries_per_s_slow', label: 'deliveries per second, one never reads', unit: '/s', value: deliveriesPerSecond(slow), better: 'higher' },
    { key: 'slow_closed', label: 'slow socket disconnected (1 = yes)', unit: '', value: ending.ended || ending.code !== null ? 1 : 0, better: 'higher', goal: { min: 1 } },
    { key: 'slow_close_code', label: 'slow socket close code (1006 = cut)', unit: '', value: ending.code ?? (ending.ended ? 1006 : null), better: 'higher' },
    { key: 'rss_growth', label: 'server RSS growth with the slow socket', unit: 'MiB', value: (slow.after.peakRssBytes - base.after.peakRssBytes) / 2 ** 20, better: 'lower', chart: true },
  ];
}

async function measure(ctx: ScenarioContext, target: Target): Promise<Measurement> {
  const count = size(ctx.smoke, 1000, 20);
  const durationMs = size(ctx.smoke, 10_000, 600);
  return withSetup(target, {}, 1, async (instance, generator) => {
    await connectAll(generator, instance.port, subscribers(instance, count, size(ctx.smoke, 20, 4)));
    const phase = { generator, instances: [instance], window: WINDOW, sockets: count, pad: PAD };
    await warmUp(ctx, (durationMs) => runFanoutPhase({ ...phase, durationMs }));
    ctx.log(`  ${durationMs} ms all reading, then ${durationMs} ms with one socket that never reads`);
    const base = await runFanoutPhase({ ...phase, durationMs });
    const slowClient = await connectSlow(instance);
    try {
      const slow = await runFanoutPhase({ ...phase, durationMs });
      const ending = await slowEnding(slowClient, size(ctx.smoke, 3000, 300));
      return {
        metrics: metrics(base, slow, ending),
        notes: [
          `${count} readers, ${round(PAD.length / 1024, 1)} KiB messages, window ${WINDOW}; slow socket ${ending.code !== null ? `closed with ${ending.code}` : ending.ended ? 'cut without a close frame' : 'still open'}`,
          loadNote(slow),
        ],
        failures: [...phaseFailures(base, 'all reading'), ...phaseFailures(slow, 'one never reads')],
      };
    } finally {
      slowClient.destroy();
    }
  });
}

/** Scenario (f). */
export const slowConsumerScenario: Scenario = {
  name: 'slow-consumer',
  title: 'slow consumer during max-rate fan-out (4 KiB messages)',
  requires: ['broadcast'],
  run: measure,
};
