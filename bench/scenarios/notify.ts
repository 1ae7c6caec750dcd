/**
 * (d) Personal notifications through the product path: 1,000 users online (one socket each), notifications
 * published to them round-robin, stored (committed) then pushed. First as fast as possible (HTTP: 64
 * requests in flight; SDK: 256 notify() calls in flight), then at half the goal rate (or half the measured
 * rate, if lower) for publish-to-receive latency.
 */
import { HttpClient, publishAtRate, publishWindowed, type PublishReport } from '../load/publisher.js';
import { payload } from '../load/payload.js';
import type { LoadGenerator } from '../load/generator.js';
import { cpuNote, watchCpu, type CpuSpent } from '../lib/cpu-watch.js';
import { summarizeLatency, type LatencySummary } from '../lib/stats.js';
import type { Target, TargetInstance } from '../targets/types.js';
import { connectAll, drain, round, size, subscribers, warmUp, withSetup } from './common.js';
import { withFreshDatabase } from './fresh-database.js';
import type { Measurement, Metric, Scenario, ScenarioContext } from './types.js';

/** How notifications are published and stored. */
export interface NotifyVariant {
  readonly via: 'http' | 'sdk';
  readonly database: 'sqlite' | 'postgres';
  /** Committed-and-delivered notifications per second the issue asks for. */
  readonly goal?: number;
}

type Publish = (durationMs: number, rate?: number) => Promise<PublishReport>;

function publisherFor(variant: NotifyVariant, instance: TargetInstance, users: readonly string[], http: HttpClient): Publish {
  if (variant.via === 'sdk') {
    const sdk = instance.sdkPublish;
    if (!sdk) throw new Error('this target has no SDK publisher');
    return async (durationMs, rate) => ({ skipped: 0, ...(await sdk({ users, durationMs, rate, window: 256 })) });
  }
  const notify = instance.notifyRequest?.bind(instance);
  if (!notify) throw new Error('this target has no notification API');
  const publish = async (i: number): Promise<void> => {
    const res = await http.send(notify(users[i % users.length] ?? 'nobody', payload(i)));
    if (res.status !== 201) throw new Error(`notify answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
  };
  return (durationMs, rate) =>
    rate === undefined ? publishWindowed({ window: 64, durationMs, publish }) : publishAtRate({ rate, durationMs, publish });
}

interface Phase {
  readonly report: PublishReport;
  readonly deliveries: number;
  readonly elapsedMs: number;
  readonly cpuMs: number;
  readonly cpu: CpuSpent;
  readonly latency: LatencySummary;
}

async function phase(generator: LoadGenerator, instance: TargetInstance, publish: Publish, durationMs: number, rate?: number): Promise<Phase> {
  await generator.reset();
  const stop = watchCpu(instance.pids, generator.pids);
  const report = await publish(durationMs, rate);
  await drain(generator, { perSocket: 0, total: report.published - report.errors });
  const cpu = stop();
  const stats = await generator.stats(undefined, true);
  return { report, deliveries: stats.deliveries, elapsedMs: cpu.elapsedMs, cpuMs: cpu.serverMs, cpu, latency: summarizeLatency(stats.latency) };
}

/** The server's drop counters as a short text, to explain lost pushes. */
async function dropsNote(instance: TargetInstance): Promise<string> {
  const counters = await instance.serverCounters?.().catch(() => null);
  return counters ? ` (server drops: ${JSON.stringify(counters.drops)})` : '';
}

/** Failures, each followed by the server's drop counters when there are any. */
async function withDrops(instance: TargetInstance, failures: string[]): Promise<string[]> {
  if (failures.length === 0) return failures;
  const note = await dropsNote(instance);
  return failures.map((f) => f + note);
}

function failuresOf(p: Phase, label: string): string[] {
  const committed = p.report.published - p.report.errors;
  const out: string[] = [];
  if (p.report.errors > 0) out.push(`${label}: ${p.report.errors} publishes failed (${p.report.firstError ?? ''})`);
  if (p.deliveries < committed) out.push(`${label}: ${committed - p.deliveries} of ${committed} committed notifications not delivered`);
  if (committed === 0) out.push(`${label}: nothing was committed`);
  return out;
}

function metrics(max: Phase, half: Phase, halfRate: number, variant: NotifyVariant): Metric[] {
  const committed = max.report.published - max.report.errors;
  return [
    { key: 'committed_per_s', label: 'committed per second', unit: '/s', value: (committed * 1000) / max.report.ms, better: 'higher', chart: true, goal: variant.goal ? { min: variant.goal } : undefined },
    { key: 'delivered_per_s', label: 'committed and delivered per second', unit: '/s', value: (max.deliveries * 1000) / max.elapsedMs, better: 'higher', goal: variant.goal ? { min: variant.goal } : undefined },
    { key: 'cpu_per_notification', label: 'server CPU per notification', unit: 'µs', value: max.deliveries > 0 ? (max.cpuMs * 1000) / max.deliveries : null, better: 'lower' },
    { key: 'half_rate', label: 'rate of the latency phase', unit: '/s', value: halfRate, better: 'higher' },
    { key: 'latency_p50', label: 'publish-to-receive p50 at that rate', unit: 'ms', value: half.latency.p50, better: 'lower' },
    { key: 'latency_p99', label: 'publish-to-receive p99 at that rate', unit: 'ms', value: half.latency.p99, better: 'lower', chart: true, goal: { max: 50 } },
  ];
}

async function measure(ctx: ScenarioContext, target: Target, variant: NotifyVariant, postgresUrl?: string): Promise<Measurement> {
  const count = size(ctx.smoke, 1000, 20);
  const durationMs = size(ctx.smoke, 10_000, 500);
  const users = Array.from({ length: count }, (_, i) => `u${i}`);
  const options = { database: variant.database, postgresUrl, sdk: variant.via === 'sdk' };
  return withSetup(target, options, 1, async (instance, generator) => {
    await connectAll(generator, instance, subscribers(instance, count, size(ctx.smoke, 10, 2)));
    const http = new HttpClient(instance.port, 64);
    try {
      const publish = publisherFor(variant, instance, users, http);
      await warmUp(ctx, (ms) => phase(generator, instance, publish, ms));
      ctx.log(`  max rate for ${durationMs} ms (${variant.via}, ${variant.database})`);
      const max = await phase(generator, instance, publish, durationMs);
      const measured = ((max.report.published - max.report.errors) * 1000) / max.report.ms;
      const halfRate = Math.max(1, Math.round(Math.min(variant.goal ?? measured, measured) / 2));
      ctx.log(`  ${halfRate}/s for ${durationMs} ms (latency)`);
      const half = await phase(generator, instance, publish, durationMs, halfRate);
      return {
        metrics: metrics(max, half, halfRate, variant),
        notes: [
          `${count} users online; max phase: ${max.report.published} published, ${max.deliveries} delivered in ${round(max.elapsedMs / 1000)} s; ${half.latency.count} latency samples`,
          `max rate: ${cpuNote(max.cpu)}`,
          `half rate: ${cpuNote(half.cpu)}`,
        ],
        failures: await withDrops(instance, [...failuresOf(max, 'max rate'), ...failuresOf(half, 'half rate')]),
      };
    } finally {
      http.close();
    }
  });
}

/** Scenario (d) in one variant. */
export function notifyScenario(variant: NotifyVariant): Scenario {
  const goal = variant.goal ? `, goal ${variant.goal.toLocaleString('en-US')}/s` : '';
  return {
    name: `notify-${variant.via}-${variant.database}`,
    title: `personal notifications via ${variant.via === 'sdk' ? 'the SDK' : 'HTTP'} on ${variant.database === 'sqlite' ? 'SQLite' : 'PostgreSQL'}${goal}`,
    requires: [variant.via === 'sdk' ? 'sdk' : 'notify', ...(variant.database === 'postgres' ? (['postgres'] as const) : [])],
    services: variant.database === 'postgres' ? ['postgres'] : [],
    run: (ctx, target) =>
      variant.database === 'postgres'
        ? withFreshDatabase(ctx.env.databaseUrl, (url) => measure(ctx, target, variant, url))
        : measure(ctx, target, variant),
  };
}
