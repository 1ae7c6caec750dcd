/**
 * (f) Slow consumer: fan-out at max rate with 4 KiB messages, first with every socket reading, then with
 * one extra socket that never reads. The server should close it (Tidings: 4002 once its unsent bytes pass
 * the cap) and the others' latency should not change. Reported: both p99s, their ratio, whether and when
 * the slow socket was disconnected and with which code, and how much the server's memory grew meanwhile.
 * The slow phase lasts until the server drops the socket (plus 3 s), at most 30 s: the socket must first
 * fall ~5 MB behind (kernel buffers, ~4 MB on loopback, plus the 1 MiB cap). 200 readers, not 1,000: the
 * generator reads a bounded number of bytes per second in all, and the slow socket gets its share of it.
 */
import { CloseCode } from '../../src/protocol/index.js';
import { connectRawClient, type RawClient } from '../load/raw-client.js';
import { BENCH_HOST } from '../lib/net-util.js';
import { tcpEstablished } from '../lib/tcp-state.js';
import { waitUntil } from '../lib/time.js';
import type { ServerCounters, Target, TargetInstance } from '../targets/types.js';
import { connectAll, round, size, subscribers, warmUp, withSetup } from './common.js';
import { WINDOW } from './fanout.js';
import { deliveriesPerSecond, loadNote, phaseFailures, runFanoutPhase, type FanoutPhaseResult } from './fanout-phase.js';
import type { Measurement, Metric, Scenario, ScenarioContext } from './types.js';

/** Big messages, so the never-reading socket passes kernel buffers and the cap quickly. */
const PAD = 'x'.repeat(4096);
/** How often the slow socket's TCP state is checked, to notice that the server hung up. */
const PROBE_MS = 250;
/** The slow phase goes on this long after the disconnect (others' latency after it counts too). */
const AFTER_CLOSE_MS = 3000;

/** How the slow socket ended. */
interface Ending {
  readonly code: number | null;
  readonly ended: boolean;
  /** Milliseconds from the start of the slow phase to the disconnect, if any. */
  readonly afterMs: number | null;
  /** The server's own counters (null: it does not tell). */
  readonly server: ServerCounters | null;
}

/** A paused socket, and when the kernel saw its connection leave ESTABLISHED (null: not yet). */
interface SlowSocket {
  readonly client: RawClient;
  droppedAt(): number | null;
  stop(): void;
}

/**
 * A socket that never reads. The server's side of its connection is watched in /proc/net/tcp (passively: a
 * probe frame would change what the server does), so a disconnect is noticed while it stays paused.
 */
async function connectSlow(instance: TargetInstance): Promise<SlowSocket> {
  const client = await connectRawClient({
    host: BENCH_HOST,
    port: instance.port,
    path: instance.subscriberPath('slow'),
    needles: [Buffer.from('"type":"broadcast"')],
    capture: false,
    paused: true,
    timeoutMs: 15_000,
  });
  let dropped: number | null = null;
  const local = client.socket.localPort ?? 0;
  // The server's end of the connection: our end hears nothing (not even the FIN) while it does not read.
  const probe = setInterval(() => {
    if (dropped === null && !tcpEstablished(instance.port, local)) dropped = Date.now();
  }, PROBE_MS);
  return { client, droppedAt: () => dropped, stop: () => clearInterval(probe) };
}

/** Read what the slow socket was sent, to learn the close code (if the server sent one before hanging up). */
async function slowEnding(slow: SlowSocket, instance: TargetInstance, startedAt: number, ms: number): Promise<Ending> {
  const client = slow.client;
  const dropped = slow.droppedAt();
  const afterMs = dropped !== null ? dropped - startedAt : null;
  client.resume();
  await waitUntil(() => client.ended || client.closeCode !== null, ms);
  const server = (await instance.serverCounters?.()) ?? null;
  return { code: client.closeCode, ended: client.ended, afterMs, server };
}

function describe(ending: Ending): string {
  const when = ending.afterMs !== null ? ` after ${round(ending.afterMs / 1000, 1)} s` : '';
  const s = ending.server;
  const counted = s ? `; server counters: drops ${JSON.stringify(s.drops)}, closes by code ${JSON.stringify(s.closes)}` : '';
  if (ending.code !== null) return `closed with ${ending.code}${when}${counted}`;
  return `${ending.ended ? `cut (no close frame could be read)${when}` : 'still open'}${counted}`;
}

function metrics(base: FanoutPhaseResult, slow: FanoutPhaseResult, ending: Ending): Metric[] {
  const p99Ratio = base.latency.p99 && slow.latency.p99 ? slow.latency.p99 / base.latency.p99 : null;
  return [
    { key: 'p99_base', label: 'others p99, all reading', unit: 'ms', value: base.latency.p99, better: 'lower' },
    { key: 'p99_slow', label: 'others p99, one never reads', unit: 'ms', value: slow.latency.p99, better: 'lower', chart: true },
    { key: 'p99_ratio', label: 'others p99 ratio (slow / all reading)', unit: '×', value: p99Ratio, better: 'lower', goal: { max: 1.2 } },
    { key: 'deliveries_per_s_base', label: 'deliveries per second, all reading', unit: '/s', value: deliveriesPerSecond(base), better: 'higher' },
    { key: 'deliveries_per_s_slow', label: 'deliveries per second, one never reads', unit: '/s', value: deliveriesPerSecond(slow), better: 'higher' },
    { key: 'slow_closed', label: 'slow socket disconnected (1 = yes)', unit: '', value: ending.ended || ending.code !== null ? 1 : 0, better: 'higher', goal: { min: 1 } },
    { key: 'slow_close_code', label: 'close code read by the slow socket (1006 = cut)', unit: '', value: ending.code ?? (ending.ended ? 1006 : null), better: 'higher' },
    { key: 'slow_counted', label: 'slow-client disconnects counted by the server', unit: '', value: ending.server ? (ending.server.drops.slow_client ?? 0) : null, better: 'higher', goal: { min: 1 } },
    { key: 'slow_4002', label: 'closes recorded with code 4002 by the server', unit: '', value: ending.server ? (ending.server.closes[String(CloseCode.SLOW_CLIENT)] ?? 0) : null, better: 'higher' },
    { key: 'slow_close_after', label: 'slow socket disconnected after', unit: 's', value: ending.afterMs !== null ? ending.afterMs / 1000 : null, better: 'lower' },
    { key: 'rss_growth', label: 'server peak RSS growth with the slow socket', unit: 'MiB', value: (slow.after.peakRssBytes - base.after.peakRssBytes) / 2 ** 20, better: 'lower', chart: true },
  ];
}

async function measure(ctx: ScenarioContext, target: Target): Promise<Measurement> {
  const count = size(ctx.smoke, 200, 20);
  const durationMs = size(ctx.smoke, 10_000, 600);
  const slowMs = size(ctx.smoke, 30_000, 600);
  return withSetup(target, {}, 1, async (instance, generator) => {
    await connectAll(generator, instance, subscribers(instance, count, size(ctx.smoke, 20, 4)));
    const phase = { generator, instances: [instance], window: WINDOW, sockets: count, pad: PAD };
    await warmUp(ctx, (durationMs) => runFanoutPhase({ ...phase, durationMs }));
    ctx.log(`${durationMs} ms all reading, then up to ${slowMs} ms with one socket that never reads`);
    const base = await runFanoutPhase({ ...phase, durationMs });
    const slow = await connectSlow(instance);
    try {
      const startedAt = Date.now();
      // Until the server drops the slow socket (plus a little), at most slowMs: the socket must first fill
      // the kernel buffers (~4 MB on loopback), then the server's cap.
      const stopWhen = (): boolean => {
        const dropped = slow.droppedAt();
        return dropped !== null && Date.now() - dropped > AFTER_CLOSE_MS;
      };
      const phaseResult = await runFanoutPhase({ ...phase, durationMs: slowMs, stopWhen });
      slow.stop();
      const ending = await slowEnding(slow, instance, startedAt, size(ctx.smoke, 3000, 300));
      return {
        metrics: metrics(base, phaseResult, ending),
        notes: [
          `${count} readers, ${round(PAD.length / 1024, 1)} KiB messages, window ${WINDOW}; slow socket ${describe(ending)}`,
          `all reading: ${loadNote(base)}`,
          `one never reads: ${loadNote(phaseResult)}`,
        ],
        failures: [...phaseFailures(base, 'all reading'), ...phaseFailures(phaseResult, 'one never reads')],
      };
    } finally {
      slow.stop();
      slow.client.destroy();
    }
  });
}

/** Scenario (f). */
export const slowConsumerScenario: Scenario = {
  name: 'slow-consumer',
  title: 'slow consumer during max-rate fan-out (200 readers, 4 KiB messages)',
  requires: ['broadcast'],
  run: measure,
};
