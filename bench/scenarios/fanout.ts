/**
 * (a) Fan-out at the maximum rate: 1,000 subscribers in one group, ~100-byte broadcasts published with a
 * window of 32 in flight. Figures: server CPU per delivery, deliveries per second, latency under load.
 */
import { connectAll, round, size, subscribers, warmUp, withSetup } from './common.js';
import { cpuPerDeliveryUs, deliveriesPerSecond, loadNote, phaseFailures, runFanoutPhase, type FanoutPhaseResult } from './fanout-phase.js';
import type { Measurement, Metric, Scenario, ScenarioContext } from './types.js';
import type { Target } from '../targets/types.js';

/** Publishing window of the fan-out scenarios. */
export const WINDOW = 32;

function fanoutMetrics(phase: FanoutPhaseResult): Metric[] {
  return [
    { key: 'cpu_per_delivery', label: 'server CPU per delivery', unit: 'µs', value: cpuPerDeliveryUs(phase), better: 'lower', chart: true, goal: { ratioMax: 0.5, nativeRatioMax: 3 } },
    { key: 'deliveries_per_s', label: 'deliveries per second', unit: '/s', value: deliveriesPerSecond(phase), better: 'higher', chart: true },
    { key: 'messages_per_s', label: 'broadcasts per second', unit: '/s', value: (phase.publish.published * 1000) / phase.elapsedMs, better: 'higher' },
    { key: 'server_cpu', label: 'server CPU busy', unit: '%', value: (phase.cpuMs * 100) / phase.elapsedMs, better: 'lower' },
    { key: 'latency_p50', label: 'latency p50 (window 32)', unit: 'ms', value: phase.latency.p50, better: 'lower' },
    { key: 'latency_p99', label: 'latency p99 (window 32)', unit: 'ms', value: phase.latency.p99, better: 'lower' },
    { key: 'rss', label: 'server RSS after', unit: 'MiB', value: phase.after.rssBytes / 2 ** 20, better: 'lower' },
  ];
}

async function measure(ctx: ScenarioContext, target: Target): Promise<Measurement> {
  const count = size(ctx.smoke, 1000, 20);
  const durationMs = size(ctx.smoke, 10_000, 600);
  return withSetup(target, {}, 1, async (instance, generator) => {
    await connectAll(generator, instance, subscribers(instance, count, size(ctx.smoke, 20, 4)));
    const base = { generator, instances: [instance], window: WINDOW, sockets: count };
    await warmUp(ctx, (durationMs) => runFanoutPhase({ ...base, durationMs }));
    ctx.log(`  measuring ${durationMs} ms with ${count} subscribers`);
    const phase = await runFanoutPhase({ ...base, durationMs });
    return {
      metrics: fanoutMetrics(phase),
      notes: [
        `${count} subscribers, ${phase.publish.published} broadcasts in ${round(phase.elapsedMs / 1000)} s, window ${WINDOW}`,
        `${phase.deliveries} deliveries, ${phase.latency.count} latency samples`,
        loadNote(phase),
      ],
      failures: phaseFailures(phase),
    };
  });
}

/** Scenario (a). */
export const fanoutScenario: Scenario = {
  name: 'fanout',
  title: 'fan-out at max rate (1,000 subscribers, window 32)',
  requires: ['broadcast'],
  run: measure,
};
