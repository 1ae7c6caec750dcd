/**
 * (c) Idle sockets: 19,000 connected sockets that receive nothing. Figure: server memory per socket,
 * (RSS after - RSS before) / sockets. The generator spreads sockets over two worker processes (each process
 * may open 20,000 files here); the server is a child with its own limit.
 */
import { sampleProcesses } from '../lib/proc.js';
import { sleep } from '../lib/time.js';
import type { Target } from '../targets/types.js';
import { connectAll, round, size, subscribers, withSetup } from './common.js';
import type { Measurement, Scenario, ScenarioContext } from './types.js';

/** Time for the server to settle (GC, lazy allocations) before each memory reading. */
const SETTLE_MS = 2000;

async function measure(ctx: ScenarioContext, target: Target): Promise<Measurement> {
  const count = size(ctx.smoke, 19_000, 50);
  return withSetup(target, {}, 2, async (instance, generator) => {
    // A few sockets first, so one-time allocations (JIT, buffers, groups) are not counted per socket.
    await connectAll(generator, instance, subscribers(instance, size(ctx.smoke, 100, 5), 0, 1_000_000));
    await sleep(size(ctx.smoke, SETTLE_MS, 100));
    const before = sampleProcesses(instance.pids);
    ctx.log(`  connecting ${count} idle sockets`);
    const connectMs = await connectAll(generator, instance, subscribers(instance, count, 0));
    await sleep(size(ctx.smoke, SETTLE_MS, 100));
    const after = sampleProcesses(instance.pids);
    const stats = await generator.stats();
    const perSocket = (after.rssBytes - before.rssBytes) / count / 1024;
    const failures = stats.open < stats.sockets ? [`${stats.sockets - stats.open} sockets were closed while idle`] : [];
    return {
      metrics: [
        { key: 'rss_per_socket', label: 'server memory per idle socket', unit: 'KiB', value: perSocket, better: 'lower', chart: true, goal: { ratioMax: 0.8 } },
        { key: 'rss_total', label: 'server RSS with all sockets', unit: 'MiB', value: after.rssBytes / 2 ** 20, better: 'lower' },
        { key: 'connect_rate', label: 'connections per second', unit: '/s', value: (count * 1000) / connectMs, better: 'higher' },
      ],
      notes: [
        `${count} sockets in ${round(connectMs / 1000)} s (batches of 500, 2 generator processes)`,
        `RSS ${round(before.rssBytes / 2 ** 20, 1)} MiB -> ${round(after.rssBytes / 2 ** 20, 1)} MiB`,
      ],
      failures,
    };
  });
}

/** Scenario (c). */
export const idleScenario: Scenario = {
  name: 'idle',
  title: 'idle sockets (19,000): memory per socket',
  requires: ['broadcast'],
  run: measure,
};
