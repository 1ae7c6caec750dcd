/**
 * Prometheus metrics (prom-client). One registry per server instance (so tests can run several), every
 * Tidings metric prefixed `tidings_`, plus Node's default process metrics.
 *
 * Hot paths (frames out, deliveries) do not call prom-client per message: they bump a plain number, and
 * {@link Metrics.track} folds it into its counter when the registry is scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly connectionsOpen: Gauge;
  readonly connectionsOpened: Counter;
  readonly connectionsClosed: Counter<'code'>;
  readonly handshakesRefused: Counter<'status'>;
  readonly framesIn: Counter;
  readonly framesOut: Counter;
  readonly groupSends: Counter;
  readonly deliveries: Counter;
  readonly drops: Counter<'reason'>;
  readonly published: Counter<'type'>;
  readonly publishLatency: Histogram;
  readonly inboxWriteLatency: Histogram;
  readonly httpRequests: Counter<'route' | 'status'>;
  readonly backendUp: Gauge<'backend'>;
  /**
   * Make `counter` (with `labels`) follow `read()`, a cumulative number kept elsewhere: at each scrape the
   * counter grows by what `read()` grew since the previous scrape. A `read()` that goes down (its source was
   * reset) adds nothing. `read` must be cheap and must not throw.
   */
  track<T extends string>(counter: Counter<T>, read: () => number, labels?: LabelValues<T>): void;
}

/** Reasons a message is dropped; each `tidings_drops_total` series exists (at 0) from the start. */
export const DROP_REASONS = ['channel_full', 'expired', 'slow_client', 'heartbeat_timeout'] as const;

/** Create a registry with every Tidings metric. `defaults` adds Node's process metrics (once per registry). */
export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  const trackers = new Map<Counter<string>, Array<() => void>>();
  // Runs at scrape time with `this` = the counter being collected.
  function collect(this: Counter<string>): void {
    for (const sync of trackers.get(this) ?? []) sync();
  }
  const counter = <T extends string>(name: string, help: string, labelNames: readonly T[] = []): Counter<T> =>
    new Counter<T>({ name, help, labelNames, registers, collect });
  const drops = counter('tidings_drops_total', 'Messages dropped, by reason (channel_full, expired, slow_client, heartbeat_timeout)', ['reason']);
  for (const reason of DROP_REASONS) drops.inc({ reason }, 0);
  return {
    registry,
    connectionsOpen: new Gauge({ name: 'tidings_connections_open', help: 'Open WebSocket connections', registers }),
    connectionsOpened: counter('tidings_connections_opened_total', 'WebSocket connections accepted'),
    connectionsClosed: counter('tidings_connections_closed_total', 'WebSocket connections closed, by close code', ['code']),
    handshakesRefused: counter('tidings_handshakes_refused_total', 'WebSocket handshakes refused, by HTTP status', ['status']),
    framesIn: counter('tidings_frames_in_total', 'Messages received from clients'),
    framesOut: counter('tidings_frames_out_total', 'Messages sent to clients'),
    groupSends: counter('tidings_group_sends_total', 'Group sends made through the channel layer'),
    deliveries: counter('tidings_deliveries_total', 'Layer messages (notifications, broadcasts, unread counts) handed to local connections'),
    drops,
    published: counter('tidings_published_total', 'Notifications and broadcasts published', ['type']),
    publishLatency: new Histogram({ name: 'tidings_publish_seconds', help: 'Publish latency: store + push', buckets, registers }),
    inboxWriteLatency: new Histogram({ name: 'tidings_inbox_write_seconds', help: 'Inbox write (commit) latency', buckets, registers }),
    httpRequests: counter('tidings_http_requests_total', 'HTTP requests, by route and status', ['route', 'status']),
    backendUp: new Gauge({ name: 'tidings_backend_up', help: '1 when a backend (layer, inbox) is reachable', labelNames: ['backend'], registers }),
    track(target, read, labels) {
      let last = read();
      const sync = () => {
        const now = read();
        if (now > last) {
          if (labels) target.inc(labels, now - last);
          else target.inc(now - last);
        }
        last = now;
      };
      const key = target as unknown as Counter<string>;
      trackers.set(key, [...(trackers.get(key) ?? []), sync]);
    },
  };
}
