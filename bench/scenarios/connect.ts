/**
 * Connect: a reconnect storm. N subscribers come back at a fixed rate, each with its HS256 token and its
 * cursor (`?token=…&since=0`), twice:
 *  - cold: tokens this server process has never seen (a deploy restarted it);
 *  - warm: the same tokens again, on the same process (a network blip dropped every socket).
 * Figures per phase: server CPU per accepted connection, and the handshake time (TCP connect until the
 * socket is ready: the 101 on the reference, which verifies the token the same way; `resumed` on Tidings,
 * after the token check, the groups, `hello`, the inbox count and the replay) p50 / p99.
 */
import { cpuNote, watchCpu, type CpuSpent } from '../lib/cpu-watch.js';
import { summarizeLatency, type LatencySummary } from '../lib/stats.js';
import { sleep } from '../lib/time.js';
import type { LoadGenerator } from '../load/generator.js';
import type { SocketSpec } from '../load/protocol.js';
import type { Target, TargetInstance } from '../targets/types.js';
import { round, size, withSetup } from './common.js';
import type { Measurement, Metric, Scenario, ScenarioContext } from './types.js';

/** Time for the server to finish closing the dropped sockets before the next phase. */
const SETTLE_MS = 2000;

/** One storm's figures. */
interface Storm {
  readonly connected: number;
  readonly failed: number;
  readonly errors: readonly string[];
  readonly cpu: CpuSpent;
  readonly handshake: LatencySummary;
}

function reconnects(instance: TargetInstance, count: number, offset: number): SocketSpec[] {
  const path = instance.reconnectPath;
  if (!path) throw new Error('target cannot reconnect with a token');
  return Array.from({ length: count }, (_, i) => ({ path: path(`u${offset + i}`, 0), capture: false }));
}

/** Connect `sockets` at `rate` per second, measure, then drop them and let the server settle. */
async function storm(generator: LoadGenerator, instance: TargetInstance, sockets: SocketSpec[], rate: number, settleMs: number): Promise<Storm> {
  const stop = watchCpu(instance.pids, generator.pids);
  const report = await generator.connect(instance.port, sockets, { rate, ready: instance.reconnectReadyFrame, timeoutMs: 30_000 });
  const cpu = stop();
  await generator.drop();
  await sleep(settleMs);
  return { connected: report.connected, failed: report.failed, errors: report.errors, cpu, handshake: summarizeLatency(report.handshakeMs ?? []) };
}

function stormMetrics(phase: 'cold' | 'warm', s: Storm): Metric[] {
  const words = phase === 'cold' ? 'new tokens' : 'known tokens';
  const cpu = s.connected > 0 ? (s.cpu.serverMs * 1000) / s.connected : null;
  return [
    { key: `${phase}_cpu_per_connection`, label: `${phase}: server CPU per accepted connection (${words})`, unit: 'µs', value: cpu, better: 'lower', chart: true, goal: { ratioMax: 1.5 } },
    { key: `${phase}_handshake_p50`, label: `${phase}: handshake p50`, unit: 'ms', value: s.handshake.p50, better: 'lower' },
    { key: `${phase}_handshake_p99`, label: `${phase}: handshake p99`, unit: 'ms', value: s.handshake.p99, better: 'lower' },
  ];
}

function stormFailures(phase: string, s: Storm): string[] {
  return s.failed > 0 ? [`${phase}: ${s.failed} sockets failed to connect: ${s.errors.join('; ')}`] : [];
}

async function measure(ctx: ScenarioContext, target: Target): Promise<Measurement> {
  const count = size(ctx.smoke, 5000, 40);
  const rate = size(ctx.smoke, 1000, 200);
  const settleMs = size(ctx.smoke, SETTLE_MS, 100);
  return withSetup(target, {}, 1, async (instance, generator) => {
    // Warm-up (JIT, buffers) with other users, so the measured tokens are new to the server.
    if (!ctx.smoke) await storm(generator, instance, reconnects(instance, 1000, 1_000_000), rate, settleMs);
    ctx.log(`  ${count} reconnects at ${rate}/s, new tokens`);
    const cold = await storm(generator, instance, reconnects(instance, count, 0), rate, settleMs);
    ctx.log(`  ${count} reconnects at ${rate}/s, the same tokens again`);
    const warm = await storm(generator, instance, reconnects(instance, count, 0), rate, 0);
    return {
      metrics: [...stormMetrics('cold', cold), ...stormMetrics('warm', warm)],
      notes: [
        `${count} sockets at ${rate}/s per phase (\`?token=…&since=0\`), ${round(cold.cpu.elapsedMs / 1000)} s / ${round(warm.cpu.elapsedMs / 1000)} s`,
        `cold: ${cpuNote(cold.cpu)}`,
        `warm: ${cpuNote(warm.cpu)}`,
      ],
      failures: [...stormFailures('cold', cold), ...stormFailures('warm', warm)],
    };
  });
}

/** The reconnect storm. */
export const connectScenario: Scenario = {
  name: 'connect',
  title: 'reconnect storm (5,000 sockets at 1,000/s with token and since)',
  requires: ['reconnect'],
  run: measure,
};
