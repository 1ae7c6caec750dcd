/**
 * Escalation metrics, registered on the server's registry (src/metrics): `tidings_escalations_total`
 * by channel and result (sent, failed, retried, dropped; every series exists from the start) and
 * `tidings_escalation_delay_seconds`, from a notification's deadline to its delivery.
 */
import { Counter, Histogram } from 'prom-client';
import type { Metrics } from '../metrics/index.js';
import { CHANNELS, type Channel } from './preferences.js';
import type { DeliveryRecord } from './store.js';

export const RESULTS = ['sent', 'failed', 'retried', 'dropped'] as const;
export type EscalationResult = (typeof RESULTS)[number];

export interface ReachMetrics {
  count(channel: Channel, result: EscalationResult): void;
  /** Record the delay from the oldest item's deadline to now. */
  observeDelay(d: DeliveryRecord, afterSeconds: number): void;
}

/** Register the escalation metrics on `metrics.registry`. */
export function createReachMetrics(metrics: Metrics): ReachMetrics {
  const registers = [metrics.registry];
  const total = new Counter({ name: 'tidings_escalations_total', help: 'Escalation deliveries by channel and result (sent, failed, retried, dropped)', labelNames: ['channel', 'result'], registers });
  for (const channel of CHANNELS) for (const result of RESULTS) total.inc({ channel, result }, 0);
  const delay = new Histogram({
    name: 'tidings_escalation_delay_seconds',
    help: 'From a notification\'s escalation deadline to its delivery',
    labelNames: ['channel'],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers,
  });
  return {
    count: (channel, result) => total.inc({ channel, result }),
    observeDelay: (d, after) => {
      const oldest = Math.min(...d.payload.items.map((i) => Date.parse(i.createdAt)));
      delay.observe({ channel: d.channel }, Math.max(0, (Date.now() - oldest) / 1000 - after));
    },
  };
}
