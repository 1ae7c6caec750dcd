/**
 * One measured phase of broadcast fan-out: reset counters, sample the server processes, publish (windowed
 * or at a fixed rate), drain, sample again. Used by the fan-out, fixed-rate, slow-consumer and Redis
 * scenarios so they all measure the same way.
 */
import type { LoadGenerator } from '../load/generator.js';
import { Counter } from '../load/counter.js';
import { HttpClient, publishAtRate, publishWindowed, type PublishReport } from '../load/publisher.js';
import { cpuNote, watchCpu, type CpuSpent } from '../lib/cpu-watch.js';
import type { ProcSample } from '../lib/proc.js';
import { summarizeLatency, type LatencySummary } from '../lib/stats.js';
import type { TargetInstance } from '../targets/types.js';
import { payload } from '../load/payload.js';
import { drain } from './common.js';

/** What a phase publishes and how. */
export interface FanoutPhaseOptions {
  readonly generator: LoadGenerator;
  /** Instances to publish to, round-robin (one, or several sharing groups through Redis). */
  readonly instances: readonly TargetInstance[];
  readonly durationMs: number;
  /** Windowed publishing: messages in flight (published, not yet delivered to every subscriber). */
  readonly window?: number;
  /** Subscribers in the generator (a message is delivered when it reached all of them). */
  readonly sockets: number;
  /** Fixed-rate publishing instead: messages per second. */
  readonly rate?: number;
  /** Padding in each message's data. */
  readonly pad?: string;
  /** Windowed publishing only: stop before `durationMs` once this returns true. */
  readonly stopWhen?: () => boolean;
}

/** Figures of one phase. */
export interface FanoutPhaseResult {
  readonly publish: PublishReport;
  readonly deliveries: number;
  readonly missing: number;
  readonly lossSockets: number;
  readonly sockets: number;
  readonly closeCodes: Readonly<Record<string, number>>;
  /** Server CPU (user + system, all instance processes) over the phase, ms. */
  readonly cpuMs: number;
  /** From the first publish until the last delivery arrived (or the drain gave up), ms. */
  readonly elapsedMs: number;
  readonly before: ProcSample;
  readonly after: ProcSample;
  /** Where the CPU went (server, generator, harness, other processes). */
  readonly cpu: CpuSpent;
  readonly latency: LatencySummary;
}

function publisher(instances: readonly TargetInstance[], clients: readonly HttpClient[], pad: string | undefined) {
  return async (i: number): Promise<void> => {
    const index = i % instances.length;
    const spec = instances[index]?.broadcastRequest(payload(i, pad));
    const client = clients[index];
    if (!spec || !client) throw new Error('no instance to publish to');
    const res = await client.send(spec);
    if (res.status < 200 || res.status >= 300) throw new Error(`publish answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
  };
}

/**
 * Messages delivered to every subscriber, from the workers' progress reports: total deliveries / sockets.
 * This closes the publisher's window end to end, so a backlog cannot build up in the generator's kernel
 * buffers and inflate latency.
 */
function fullyDelivered(generator: LoadGenerator, sockets: number): { counter: Counter; stop: () => void } {
  const counter = new Counter();
  const stop = generator.onProgress((total) => {
    const full = Math.floor(total / Math.max(1, sockets));
    if (full > counter.value) counter.add(full - counter.value);
  });
  return { counter, stop };
}

async function startPublishing(options: FanoutPhaseOptions, clients: readonly HttpClient[]): Promise<PublishReport> {
  const publish = publisher(options.instances, clients, options.pad);
  if (options.rate !== undefined) return publishAtRate({ rate: options.rate, durationMs: options.durationMs, publish });
  if (options.window === undefined) throw new Error('a fan-out phase needs a window or a rate');
  const delivered = fullyDelivered(options.generator, options.sockets);
  try {
    const { window, durationMs, stopWhen } = options;
    return await publishWindowed({ window, durationMs, publish, delivered: delivered.counter, stopWhen });
  } finally {
    delivered.stop();
  }
}

/** Run one phase. HTTP errors while publishing are reported in `publish.errors`, not thrown. */
export async function runFanoutPhase(options: FanoutPhaseOptions): Promise<FanoutPhaseResult> {
  const clients = options.instances.map((i) => new HttpClient(i.port, 32));
  const pids = options.instances.flatMap((i) => i.pids);
  try {
    await options.generator.reset();
    const stop = watchCpu(pids, options.generator.pids);
    const report = await startPublishing(options, clients);
    await drain(options.generator, { perSocket: report.published - report.errors });
    const cpu = stop();
    const stats = await options.generator.stats(report.published - report.errors, true);
    return {
      publish: report,
      deliveries: stats.deliveries,
      missing: stats.missing,
      lossSockets: stats.lossSockets,
      sockets: stats.sockets,
      closeCodes: stats.closeCodes,
      cpuMs: cpu.serverMs,
      elapsedMs: cpu.elapsedMs,
      before: cpu.serverBefore,
      after: cpu.serverAfter,
      cpu,
      latency: summarizeLatency(stats.latency),
    };
  } finally {
    for (const client of clients) client.close();
  }
}

/** Delivery failures of a phase, as scenario failure lines. */
export function phaseFailures(result: FanoutPhaseResult, label = ''): string[] {
  const prefix = label ? `${label}: ` : '';
  const failures: string[] = [];
  if (result.publish.errors > 0) failures.push(`${prefix}${result.publish.errors} publishes failed (${result.publish.firstError ?? ''})`);
  if (result.missing > 0) failures.push(`${prefix}${result.missing} deliveries lost on ${result.lossSockets} sockets`);
  if (result.publish.published === 0) failures.push(`${prefix}nothing was published`);
  return failures;
}

/** Microseconds of server CPU per delivery. */
export function cpuPerDeliveryUs(result: FanoutPhaseResult): number | null {
  return result.deliveries > 0 ? (result.cpuMs * 1000) / result.deliveries : null;
}

/** Deliveries per second over the phase. */
export function deliveriesPerSecond(result: FanoutPhaseResult): number | null {
  return result.elapsedMs > 0 ? (result.deliveries * 1000) / result.elapsedMs : null;
}

/** Where the CPU went during a phase, as a note (see cpuNote). */
export function loadNote(result: FanoutPhaseResult): string {
  return cpuNote(result.cpu);
}
