/**
 * (e) Two processes on Redis vs one: the fan-out of scenario (a) with the subscribers split over two
 * Tidings processes that share groups through Redis (broadcasts published to each in turn), compared with
 * the same load on one process. Figure: the throughput ratio (goal: at least 0.9).
 */
import { randomBytes } from 'node:crypto';
import type { LoadGenerator } from '../load/generator.js';
import type { Target, TargetInstance } from '../targets/types.js';
import { connectAll, round, size, subscribers, warmUp, withGenerator, withInstance, withInstances } from './common.js';
import { WINDOW } from './fanout.js';
import { cpuPerDeliveryUs, deliveriesPerSecond, loadNote, phaseFailures, runFanoutPhase, type FanoutPhaseResult } from './fanout-phase.js';
import type { Measurement, Scenario, ScenarioContext } from './types.js';

async function fanout(
  ctx: ScenarioContext,
  generator: LoadGenerator,
  instances: readonly TargetInstance[],
  count: number,
): Promise<FanoutPhaseResult> {
  const share = Math.ceil(count / instances.length);
  for (const [index, instance] of instances.entries()) {
    await connectAll(generator, instance, subscribers(instance, share, size(ctx.smoke, 20, 4), index * share));
  }
  const base = { generator, instances, window: WINDOW, sockets: share * instances.length };
  await warmUp(ctx, (durationMs) => runFanoutPhase({ ...base, durationMs }));
  return runFanoutPhase({ ...base, durationMs: size(ctx.smoke, 10_000, 500) });
}

async function measure(ctx: ScenarioContext, target: Target): Promise<Measurement> {
  const count = size(ctx.smoke, 1000, 20);
  ctx.log('  one process');
  const one = await withInstance(target, {}, (a) => withGenerator(1, (g) => fanout(ctx, g, [a], count)));
  ctx.log('  two processes on Redis');
  const redis = { redisUrl: ctx.env.redisUrl, namespace: `bench-${randomBytes(4).toString('hex')}` };
  const two = await withInstances(target, [redis, redis], (instances) => withGenerator(1, (g) => fanout(ctx, g, instances, count)));
  const oneRate = deliveriesPerSecond(one);
  const twoRate = deliveriesPerSecond(two);
  return {
    metrics: [
      { key: 'one_deliveries_per_s', label: 'deliveries per second, one process', unit: '/s', value: oneRate, better: 'higher' },
      { key: 'two_deliveries_per_s', label: 'deliveries per second, two processes on Redis', unit: '/s', value: twoRate, better: 'higher' },
      { key: 'two_over_one', label: 'throughput two / one', unit: '×', value: oneRate && twoRate ? twoRate / oneRate : null, better: 'higher', chart: true, goal: { min: 0.9 } },
      { key: 'one_cpu_per_delivery', label: 'server CPU per delivery, one process', unit: 'µs', value: cpuPerDeliveryUs(one), better: 'lower' },
      { key: 'two_cpu_per_delivery', label: 'server CPU per delivery, two processes', unit: 'µs', value: cpuPerDeliveryUs(two), better: 'lower' },
    ],
    notes: [
      `${count} subscribers (split evenly on two processes), window ${WINDOW}; one: ${one.publish.published} broadcasts in ${round(one.elapsedMs / 1000)} s, two: ${two.publish.published} in ${round(two.elapsedMs / 1000)} s`,
      `one process: ${loadNote(one)}`,
      `two processes: ${loadNote(two)}`,
    ],
    failures: [...phaseFailures(one, 'one process'), ...phaseFailures(two, 'two processes')],
  };
}

/** Scenario (e). */
export const redisScaleScenario: Scenario = {
  name: 'redis-scale',
  title: 'fan-out on two processes sharing Redis vs one process',
  requires: ['broadcast', 'redis'],
  services: ['redis'],
  run: measure,
};
