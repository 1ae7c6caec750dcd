/**
 * Prometheus metrics (prom-client). One registry per server instance (so tests can run several), every
 * Tidings metric prefixed `tidings_`, plus Node's default process metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
}

/** Create a registry with every Tidings metric. `defaults` adds Node's process metrics (once per registry). */
export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  return {
    registry,
    connectionsOpen: new Gauge({ name: 'tidings_connections_open', help: 'Open WebSocket connections', registers }),
    connectionsOpened: new Counter({ name: 'tidings_connections_opened_total', help: 'WebSocket connections accepted', registers }),
    connectionsClosed: new Counter({ name: 'tidings_connections_closed_total', help: 'WebSocket connections closed, by close code', labelNames: ['code'], registers }),
    handshakesRefused: new Counter({ name: 'tidings_handshakes_refused_total', help: 'WebSocket handshakes refused, by HTTP status', labelNames: ['status'], registers }),
    framesIn: new Counter({ name: 'tidings_frames_in_total', help: 'Messages received from clients', registers }),
    framesOut: new Counter({ name: 'tidings_frames_out_total', help: 'Messages sent to clients', registers }),
    groupSends: new Counter({ name: 'tidings_group_sends_total', help: 'Group sends made through the channel layer', registers }),
    deliveries: new Counter({ name: 'tidings_deliveries_total', help: 'Notifications and broadcasts delivered to sockets', registers }),
    drops: new Counter({ name: 'tidings_drops_total', help: 'Messages dropped, by reason (channel_full, slow_client, expired)', labelNames: ['reason'], registers }),
    published: new Counter({ name: 'tidings_published_total', help: 'Notifications and broadcasts published', labelNames: ['type'], registers }),
    publishLatency: new Histogram({ name: 'tidings_publish_seconds', help: 'Publish latency: store + push', buckets, registers }),
    inboxWriteLatency: new Histogram({ name: 'tidings_inbox_write_seconds', help: 'Inbox write (commit) latency', buckets, registers }),
    httpRequests: new Counter({ name: 'tidings_http_requests_total', help: 'HTTP requests, by route and status', labelNames: ['route', 'status'], registers }),
    backendUp: new Gauge({ name: 'tidings_backend_up', help: '1 when a backend (layer, inbox) is reachable', labelNames: ['backend'], registers }),
  };
}
