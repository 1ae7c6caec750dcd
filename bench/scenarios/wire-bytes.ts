/**
 * (g) Bytes on the wire per delivered notification: the same notification stream (each user gets one
 * every 10 s) to 1,000 users on each of short polling (1 s), long polling (`wait=25`) and WebSocket, all at
 * once for 60 s. Bytes are counted at the socket level on the client side (HTTP and WebSocket headers,
 * handshakes, pings included); TCP/IP headers are not.
 */
import { HttpClient, publishAtRate } from '../load/publisher.js';
import { payload } from '../load/payload.js';
import { runPollers, type PollersReport } from '../load/pollers.js';
import { sleep } from '../lib/time.js';
import type { Target, TargetInstance } from '../targets/types.js';
import { connectAll, size, withSetup } from './common.js';
import type { Measurement, Metric, Scenario, ScenarioContext } from './types.js';

/** Notifications per user per second. */
const PER_USER_RATE = 0.1;
/** Time after publishing stops for the last notifications to arrive (short polls come every second). */
const GRACE_MS = 1500;

const MODES = ['ws', 'short', 'long'] as const;

function pollers(instance: TargetInstance, users: string[], mode: 'short' | 'long', signal: AbortSignal): Promise<PollersReport> {
  const request = instance.pollRequest?.bind(instance);
  const parse = instance.parsePoll?.bind(instance);
  if (!request || !parse) throw new Error('this target has no poll endpoint');
  return runPollers({ port: instance.port, users, mode, signal, request, parse });
}

function perNotification(bytes: number, delivered: number): number | null {
  return delivered > 0 ? bytes / delivered : null;
}

async function publish(instance: TargetInstance, users: number, durationMs: number, perUserRate: number): Promise<number[]> {
  const notify = instance.notifyRequest?.bind(instance);
  if (!notify) throw new Error('this target has no notification API');
  const http = new HttpClient(instance.port, 32);
  const sent = [0, 0, 0];
  try {
    const report = await publishAtRate({
      rate: users * MODES.length * perUserRate,
      durationMs,
      publish: async (i) => {
        const mode = i % MODES.length;
        const res = await http.send(notify(`${MODES[mode]}${Math.floor(i / MODES.length) % users}`, payload(i)));
        if (res.status !== 201) throw new Error(`notify answered HTTP ${res.status}`);
        sent[mode] = (sent[mode] ?? 0) + 1;
      },
    });
    if (report.errors > 0) throw new Error(`${report.errors} notifications failed: ${report.firstError ?? ''}`);
    return sent;
  } finally {
    http.close();
  }
}

interface ModeFigures {
  readonly sent: readonly number[];
  readonly delivered: readonly number[];
  readonly bytes: readonly number[];
  readonly short: PollersReport;
  readonly long: PollersReport;
}

function metrics(f: ModeFigures): Metric[] {
  const labels = ['WebSocket', 'short polling (1 s)', 'long polling (wait=25)'];
  const bars = ['WebSocket', 'short poll 1 s', 'long poll'];
  const perMode = MODES.map((mode, i): Metric => ({
    key: `bytes_${mode}`,
    label: `bytes per notification, ${labels[i] ?? mode}`,
    unit: 'B',
    value: perNotification(f.bytes[i] ?? 0, f.delivered[i] ?? 0),
    better: 'lower',
    chart: true,
    chartGroup: { title: 'bytes on the wire per notification (B, lower is better)', bar: bars[i] ?? mode },
  }));
  const requests = (r: PollersReport): number | null => (r.delivered ? r.requests / r.delivered : null);
  return [
    ...perMode,
    { key: 'requests_short', label: 'short-poll requests per notification', unit: '', value: requests(f.short), better: 'lower' },
    { key: 'requests_long', label: 'long-poll requests per notification', unit: '', value: requests(f.long), better: 'lower' },
  ];
}

function outcome(f: ModeFigures, users: number, perUserRate: number, durationMs: number): Measurement {
  const failures = MODES.flatMap((mode, i) =>
    (f.delivered[i] ?? 0) < (f.sent[i] ?? 0) ? [`${mode}: ${f.delivered[i]} of ${f.sent[i]} notifications delivered`] : [],
  );
  // A failed poll is retried a second later; only notifications that never arrive fail the run.
  const pollErrors = (['short', 'long'] as const).flatMap((mode) => {
    const r = f[mode];
    return r.errors > 0 ? [`${mode} polling: ${r.errors} failed requests, e.g. ${r.firstError ?? ''}`] : [];
  });
  const summary = `${users} users per mode, ${perUserRate} notifications per user per second for ${durationMs / 1000} s`;
  return {
    metrics: metrics(f),
    notes: [`${summary}; delivered ws/short/long: ${f.delivered.join('/')} of ${f.sent.join('/')}`, ...pollErrors],
    failures,
  };
}

async function measure(ctx: ScenarioContext, target: Target): Promise<Measurement> {
  const users = size(ctx.smoke, 1000, 20);
  const durationMs = size(ctx.smoke, 60_000, 1500);
  const perUserRate = size(ctx.smoke, PER_USER_RATE, 1);
  const names = (prefix: string): string[] => Array.from({ length: users }, (_, i) => `${prefix}${i}`);
  return withSetup(target, {}, 1, async (instance, generator) => {
    await connectAll(generator, instance, names('ws').map((u) => ({ path: instance.subscriberPath(u), capture: false })));
    const stop = new AbortController();
    const polling = Promise.all([pollers(instance, names('short'), 'short', stop.signal), pollers(instance, names('long'), 'long', stop.signal)]);
    ctx.log(`${users} users per mode, ${durationMs} ms`);
    const sent = await publish(instance, users, durationMs, perUserRate).finally(() => sleep(GRACE_MS).then(() => stop.abort()));
    const [short, long] = await polling;
    const ws = await generator.stats();
    const figures = { sent, delivered: [ws.deliveries, short.delivered, long.delivered], bytes: [ws.wireBytes, short.wireBytes, long.wireBytes], short, long };
    return outcome(figures, users, perUserRate, durationMs);
  });
}

/** Scenario (g). */
export const wireBytesScenario: Scenario = {
  name: 'wire-bytes',
  title: 'bytes on the wire per notification: short polling, long polling, WebSocket',
  requires: ['notify', 'poll'],
  run: measure,
};
