/**
 * (b) Fan-out at a fixed rate: 5,000 subscribers, 20 broadcasts per second for 15 s. Figures: latency
 * percentiles from a publish timestamp (every 50th socket parses whole frames), loss, server CPU.
 */
import type { Target } from '../targets/types.js';
import { connectAll, round, size, subscribers, warmUp, withSetup } from './common.js';
import { loadNote, phaseFailures, runFanoutPhase, type FanoutPhaseResult } from './fanout-phase.js';
import type { Measurement, Metric, Scenario, ScenarioContext } from './types.js';

/** Broadcasts per second. */
export const RATE = 20;

function metrics(phase: FanoutPhaseResult, expected: number): Metric[] {
  return [
    { key: 'latency_p50', label: 'latency p50', unit: 'ms', value: phase.latency.p50, better: 'lower' },
    { key: 'latency_p90', label: 'latency p90', unit: 'ms', value: phase.latency.p90, better: 'lower' },
    { key: 'latency_p99', label: 'latency p99', unit: 'ms', value: phase.latency.p99, better: 'lower', chart: true, goal: { ratioMax: 1 } },
    { key: 'latency_max', label: 'latency max', unit: 'ms', value: phase.latency.max, better: 'lower' },
    { key: 'loss', label: 'deliveries lost', unit: '%', value: expected > 0 ? (phase.missing * 100) / expected : null, better: 'lower', goal: { max: 0 } },
    { key: 'server_cpu', label: 'server CPU busy', unit: '%', value: (phase.cpuMs * 100) / phase.elapsedMs, better: 'lower', chart: true },
    { key: 'rss', label: 'server RSS after', unit: 'MiB', value: phase.after.rssBytes / 2 ** 20, better: 'lower' },
  ];
}

async function measure(ctx: ScenarioContext, target: Target): Promise<Measurement> {
  const count = size(ctx.smoke, 5000, 20);
  const durationMs = size(ctx.smoke, 15_000, 1000);
  return withSetup(target, {}, 1, async (instance, generator) => {
    const connectMs = await connectAll(generator, instance, subscribers(instance, count, size(ctx.smoke, 50, 2)));
    const base = { generator, instances: [instance], rate: RATE, sockets: count };
    await warmUp(ctx, (durationMs) => runFanoutPhase({ ...base, durationMs }));
    ctx.log(`  measuring ${durationMs} ms: ${count} subscribers x ${RATE} msg/s`);
    const phase = await runFanoutPhase({ ...base, durationMs });
    const expected = (phase.publish.published - phase.publish.errors) * count;
    return {
      metrics: metrics(phase, expected),
      notes: [
        `${count} subscribers connected in ${round(connectMs / 1000)} s; ${phase.publish.published} broadcasts at ${RATE}/s`,
        `${phase.deliveries} of ${expected} deliveries; ${phase.latency.count} latency samples`,
        loadNote(phase),
      ],
      failures: [...phaseFailures(phase), ...(phase.publish.skipped > 0 ? [`publisher skipped ${phase.publish.skipped}`] : [])],
    };
  });
}

/** Scenario (b). */
export const fixedRateScenario: Scenario = {
  name: 'fixed-rate',
  title: 'fan-out at a fixed rate (5,000 subscribers x 20 msg/s)',
  requires: ['broadcast'],
  run: measure,
};
