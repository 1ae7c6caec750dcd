/**
 * `/metrics` (Prometheus text), the separate metrics port and `GET /v1/stats`: every Tidings series is there,
 * with Node's process metrics, and the values move as expected after a connection, a client frame and a
 * publish.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { startTestServer, TEST_API_KEY, type TestServer } from '../../../src/testing/index.js';

/** Series -> value from a Prometheus text exposition (`name{labels} value`). */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const SERIES = [
  'tidings_connections_open',
  'tidings_connections_opened_total',
  'tidings_frames_in_total',
  'tidings_frames_out_total',
  'tidings_group_sends_total',
  'tidings_deliveries_total',
  'tidings_drops_total{reason="channel_full"}',
  'tidings_drops_total{reason="expired"}',
  'tidings_drops_total{reason="slow_client"}',
  'tidings_drops_total{reason="heartbeat_timeout"}',
  'tidings_publish_seconds_count',
  'tidings_publish_seconds_bucket{le="0.01"}',
  'tidings_inbox_write_seconds_count',
  'tidings_backend_up{backend="layer"}',
  'tidings_backend_up{backend="inbox"}',
  'process_cpu_user_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_heap_size_used_bytes',
];

describe('metrics', () => {
  let srv: TestServer;
  let metricsUrl: string;
  before(async () => {
    srv = await startTestServer({ settings: { metricsPort: 0 } });
    const address = srv.tidings.metricsServer?.address() as AddressInfo;
    metricsUrl = `http://127.0.0.1:${address.port}`;
  });
  after(() => srv.close());

  const scrape = async (base = srv.url) => {
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    return parse(await res.text());
  };
  const delta = (before: Map<string, number>, now: Map<string, number>, series: string) => (now.get(series) ?? 0) - (before.get(series) ?? 0);

  it('exposes every Tidings series and the default process metrics', async () => {
    const m = await scrape();
    for (const series of SERIES) assert.ok(m.has(series), `${series} missing`);
    assert.equal(m.get('tidings_backend_up{backend="layer"}'), 1);
    assert.equal(m.get('tidings_backend_up{backend="inbox"}'), 1);
  });

  it('values move after a connection, a client frame, a publish and a close', async () => {
    const before = await scrape();
    const alice = await srv.connect('/inform/', { user: 'm-alice' });
    await alice.nextOfType('hello');
    alice.send({ type: 'ping' });
    await alice.nextOfType('pong');
    const opened = await scrape();
    assert.equal(opened.get('tidings_connections_open'), (before.get('tidings_connections_open') ?? 0) + 1);
    assert.equal(delta(before, opened, 'tidings_connections_opened_total'), 1);
    assert.equal(delta(before, opened, 'tidings_frames_in_total'), 1);
    assert.equal(delta(before, opened, 'tidings_frames_out_total'), 2, 'hello + pong');

    const res = await srv.api('/v1/notifications', { body: { to: 'm-alice', kind: 'reply', data: {} } });
    assert.equal(res.status, 201);
    await alice.nextOfType('notification');
    const published = await scrape();
    assert.equal(delta(opened, published, 'tidings_group_sends_total'), 1);
    assert.equal(delta(opened, published, 'tidings_deliveries_total'), 1);
    assert.equal(delta(opened, published, 'tidings_frames_out_total'), 1);
    assert.equal(delta(opened, published, 'tidings_publish_seconds_count'), 1);
    assert.equal(delta(opened, published, 'tidings_inbox_write_seconds_count'), 1);
    assert.equal(delta(opened, published, 'tidings_published_total{type="notification"}'), 1);
    assert.equal(delta(opened, published, 'tidings_http_requests_total{route="/v1/notifications",status="201"}'), 1);

    alice.close(1000);
    await alice.closed();
    let closed = await scrape();
    // The server sees the close a moment after the client: wait for the gauge, bounded.
    for (let i = 0; i < 50 && closed.get('tidings_connections_open') !== before.get('tidings_connections_open'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      closed = await scrape();
    }
    assert.equal(closed.get('tidings_connections_open'), before.get('tidings_connections_open') ?? 0);
    assert.equal(delta(before, closed, 'tidings_connections_closed_total{code="1000"}'), 1);
  });

  it('a refused handshake is counted by status', async () => {
    const before = await scrape();
    await assert.rejects(srv.connect('/nowhere/', { user: 'm-nowhere' }), (err: Error & { status?: number }) => err.status === 404);
    const after = await scrape();
    assert.equal(delta(before, after, 'tidings_handshakes_refused_total{status="404"}'), 1);
  });

  it('the separate metrics port serves /metrics, /healthz and /readyz, and nothing else', async () => {
    const m = await scrape(metricsUrl);
    for (const series of SERIES) assert.ok(m.has(series), `${series} missing on the metrics port`);
    assert.equal((await fetch(`${metricsUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${metricsUrl}/readyz`)).status, 200);
    assert.equal((await fetch(`${metricsUrl}/v1/stats`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } })).status, 404);
  });

  it('GET /v1/stats answers JSON numbers with the API key, 401 without', async () => {
    assert.equal((await fetch(`${srv.url}/v1/stats`)).status, 401);
    const res = await srv.api('/v1/stats');
    assert.equal(res.status, 200);
    const stats = (await res.json()) as Record<string, unknown>;
    for (const key of ['connections', 'uptimeSeconds', 'framesIn', 'framesOut', 'delivered', 'droppedFull', 'droppedExpired']) {
      assert.equal(typeof stats[key], 'number', `${key}: ${String(stats[key])}`);
    }
    assert.ok((stats.framesOut as number) >= 3);
    assert.equal(stats.layer, 'ready');
    assert.equal(stats.draining, false);
  });
});
