/**
 * A pool of benchmark sockets in one process: connects in batches, counts deliveries per socket, samples
 * latency from a publish timestamp on the sockets that capture, and reports loss against an expectation.
 */
import { Reservoir } from '../lib/stats.js';
import { sleep, wallClockMs } from '../lib/time.js';
import { connectRawClient, type RawClient } from './raw-client.js';
import { connectWsClient, type WsClient } from './ws-client.js';
import type { ConnectReport, ConnectSettings, PoolStats, SocketSpec } from './protocol.js';

/** How a pool connects. */
export interface PoolOptions extends ConnectSettings {
  /** Latency samples kept (uniform reservoir). Default 200,000. */
  readonly latencyCapacity?: number;
}

type Client = RawClient | WsClient;

/** Most distinct connection errors reported back. */
const ERROR_EXAMPLES = 5;

/**
 * The publish timestamp of a frame: `data.t` (Tidings frames and the reference frames), or a top-level `t`.
 * Returns null when the payload is not JSON or has no numeric timestamp.
 */
export function publishTimestamp(payload: Buffer): number | null {
  try {
    const frame = JSON.parse(payload.toString('utf8')) as { t?: unknown; data?: { t?: unknown } };
    const t = frame.data?.t ?? frame.t;
    return typeof t === 'number' ? t : null;
  } catch {
    return null;
  }
}

/** Sockets of one process. */
export class SocketPool {
  private readonly clients: Client[] = [];
  private readonly needles: Buffer[];
  private readonly latency: Reservoir;
  private bytesBaseline = 0;
  /** Deliveries on all sockets since the last reset (kept as a running sum for progress events). */
  total = 0;

  private readonly readyNeedle: Buffer | undefined;

  constructor(private readonly options: PoolOptions) {
    this.needles = options.needles.map((n) => Buffer.from(n));
    this.readyNeedle = options.ready ? Buffer.from(options.ready) : undefined;
    this.latency = new Reservoir(options.latencyCapacity ?? 200_000);
  }

  /**
   * Connect `specs` in batches of `batchSize` (or paced at `rate` per second, see {@link connectPaced});
   * failures are counted, not thrown.
   */
  async connect(specs: readonly SocketSpec[]): Promise<ConnectReport> {
    if (this.options.rate !== undefined) return this.connectPaced(specs, this.options.rate);
    const started = Date.now();
    const errors = new Set<string>();
    let failed = 0;
    for (let i = 0; i < specs.length; i += this.options.batchSize) {
      const batch = specs.slice(i, i + this.options.batchSize);
      const settled = await Promise.allSettled(batch.map((spec) => this.connectOne(spec)));
      for (const result of settled) {
        if (result.status === 'fulfilled') this.clients.push(result.value);
        else {
          failed++;
          if (errors.size < ERROR_EXAMPLES) errors.add(String((result.reason as Error)?.message ?? result.reason));
        }
      }
    }
    return { connected: specs.length - failed, failed, errors: [...errors], ms: Date.now() - started };
  }

  /**
   * Start one connection every 1/`rate` s whatever the earlier ones are doing (a reconnect storm: clients
   * do not wait for each other), and time each from its TCP connect to its readiness.
   */
  private async connectPaced(specs: readonly SocketSpec[], rate: number): Promise<ConnectReport> {
    const started = performance.now();
    const handshakeMs: number[] = [];
    const errors = new Set<string>();
    let failed = 0;
    const one = async (spec: SocketSpec, index: number): Promise<void> => {
      const due = started + (index * 1000) / rate;
      if (due > performance.now()) await sleep(due - performance.now());
      const t0 = performance.now();
      try {
        this.clients.push(await this.connectOne(spec));
        handshakeMs.push(performance.now() - t0);
      } catch (err) {
        failed++;
        if (errors.size < ERROR_EXAMPLES) errors.add(String((err as Error)?.message ?? err));
      }
    };
    await Promise.all(specs.map(one));
    return { connected: specs.length - failed, failed, errors: [...errors], ms: performance.now() - started, handshakeMs };
  }

  private connectOne(spec: SocketSpec): Promise<Client> {
    const common = {
      host: this.options.host,
      port: this.options.port,
      path: spec.path,
      needles: this.needles,
      capture: spec.capture,
      readyNeedle: this.readyNeedle,
      timeoutMs: this.options.timeoutMs,
      onDelivery: (_client: unknown, payload: Buffer | undefined) => this.record(payload),
    };
    return this.options.mode === 'ws' ? connectWsClient(common) : connectRawClient(common);
  }

  private record(payload: Buffer | undefined): void {
    this.total++;
    if (!payload) return;
    const t = publishTimestamp(payload);
    if (t !== null) this.latency.add(wallClockMs() - t);
  }

  /** Zero the delivery counters, byte counters and latency samples (start of a measurement window). */
  reset(): void {
    for (const client of this.clients) client.deliveries = 0;
    this.total = 0;
    this.latency.reset();
    this.bytesBaseline = this.clients.reduce((sum, c) => sum + c.wireBytes, 0);
  }

  /**
   * Counters since the last reset; `expected` deliveries per socket turns into loss figures. Latency
   * samples are included only when `withLatency` (they can be large).
   */
  stats(expected?: number, withLatency = false): PoolStats {
    const closeCodes: Record<string, number> = {};
    let deliveries = 0;
    let open = 0;
    let lossSockets = 0;
    let missing = 0;
    for (const client of this.clients) {
      deliveries += client.deliveries;
      if (!client.ended) open++;
      if (client.closeCode !== null) closeCodes[client.closeCode] = (closeCodes[client.closeCode] ?? 0) + 1;
      if (expected !== undefined && client.deliveries < expected) {
        lossSockets++;
        missing += expected - client.deliveries;
      }
    }
    const wireBytes = this.clients.reduce((sum, c) => sum + c.wireBytes, 0) - this.bytesBaseline;
    return {
      sockets: this.clients.length,
      open,
      deliveries,
      wireBytes,
      closeCodes,
      lossSockets,
      missing,
      latency: withLatency ? this.latency.toArray() : [],
      latencyOffered: this.latency.offered,
    };
  }

  /** Drop every connection (the pool can connect again afterwards). */
  close(): void {
    for (const client of this.clients) client.destroy();
    this.clients.length = 0;
  }
}
