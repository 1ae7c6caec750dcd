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

async function measure(ctx: ScenarioContext, target: Target): Promise<Measurement> {
  const users = size(ctx.smoke, 1000, 20);
  const durationMs = size(ctx.smoke, 60_000, 1500);
  const perUserRate = size(ctx.smoke, PER_USER_RATE, 1);
  const names = (prefix: string): string[] => Array.from({ length: users }, (_, i) => `${prefix}${i}`);
  return withSetup(target, {}, 1, async (instance, generator) => {
    await connectAll(generator, instance.port, names('ws').map((u) => ({ path: instance.subscriberPath(u), capture: false })));
    const stop = new AbortController();
    const polling = Promise.all([pollers(instance, names('short'), 'short', stop.signal), pollers(instance, names('long'), 'long', stop.signal)]);
    ctx.log(`  ${users} users per mode, ${durationMs} ms`);
    const sent = await publish(instance, users, durationMs, perUserRate).finally(() => sleep(GRACE_MS).then(() => stop.abort()));
    const [short, long] = await polling;
    const ws = await generator.stats();
    const delivered = [ws.deliveries, short.delivered, long.delivered];
    const bytes = [ws.wireBytes, short.wireBytes, long.wireBytes];
    const metric = (i: number, label: string): Metric => ({
      key: `bytes_${MODES[i]}`,
      label: `bytes per notification, ${label}`,
      unit: 'B',
      value: perNotification(bytes[i] ?? 0, delivered[i] ?? 0),
      better: 'lower',
      chart: true,
    });
    const failures = MODES.flatMap((mode, i) =>
      (delivered[i] ?? 0) < (sent[i] ?? 0) ? [`${mode}: ${delivered[i]} of ${sent[i]} notifications delivered`] : [],
    );
    for (const [mode, r] of [['short', short], ['long', long]] as const) if (r.errors > 0) failures.push(`${mode} polling: ${r.errors} errors (${r.firstError ?? ''})`);
    return {
      metrics: [
        metric(0, 'WebSocket'),
        metric(1, 'short polling (1 s)'),
        metric(2, 'long polling (wait=25)'),
        { key: 'requests_short', label: 'short-poll requests per notification', unit: '', value: short.delivered ? short.requests / short.delivered : null, better: 'lower' },
        { key: 'requests_long', label: 'long-poll requests per notification', unit: '', value: long.delivered ? long.requests / long.delivered : null, better: 'lower' },
      ],
      notes: [`${users} users per mode, ${perUserRate} notifications per user per second for ${durationMs / 1000} s; delivered ws/short/long: ${delivered.join('/')} of ${sent.join('/')}`],
      failures,
    };
  });
}

/** Scenario (g). */
export const wireBytesScenario: Scenario = {
  name: 'wire-bytes',
  title: 'bytes on the wire per notification: short polling, long polling, WebSocket',
  requires: ['notify', 'poll'],
  run: measure,
};
