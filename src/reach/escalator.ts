/**
 * The escalator: turns notifications still unseen `after` seconds after they were stored into deliveries
 * (stage one), and makes those deliveries with retries (stage two). Both stages work from the inbox
 * database (see {@link ReachStore}), so a process killed at any point loses nothing: a schedule row is
 * taken in the same transaction that stores its deliveries, and a delivery taken by a process that died
 * is taken again when its lease ends (at least once; receivers deduplicate by the delivery id).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/index.js';
import type { ChannelSender, SendResult } from './channels/types.js';
import type { ReachMetrics } from './metrics.js';
import { allows } from './preferences.js';
import type { DeliveryRecord, DueUser, Planner, ReachStore } from './store.js';

/** Options of {@link Escalator}. */
export interface EscalatorOptions {
  store: ReachStore;
  /** Seconds after it was stored that an unseen notification escalates. */
  after: number;
  channels: readonly ChannelSender[];
  metrics: ReachMetrics;
  log: Logger;
  /** Milliseconds between looks at the schedule. Default 500. */
  pollMs?: number;
  /** Milliseconds a taken delivery is leased to its process. Default 30000. */
  leaseMs?: number;
  /** Milliseconds after planning during which failed deliveries are retried; then dropped. Default 15 min. */
  retryWindowMs?: number;
  /** Delay before retry number `n` (1 = first retry). Default 5 s, doubling, at most 5 min. */
  backoffMs?: (n: number) => number;
  /** Most schedule rows or deliveries taken at once. Default 500. */
  batch?: number;
}

/** The default retry delays: 5 s, 10 s, 20 s … at most 5 minutes. */
export function defaultBackoff(n: number): number {
  return Math.min(300_000, 5000 * 2 ** Math.max(0, n - 1));
}

/** A delivery id: `dlv_` and 24 hex digits. */
export function deliveryId(): string {
  return `dlv_${randomBytes(12).toString('hex')}`;
}

/** Plan the deliveries of due users over the configured channels, as their preferences allow. */
export function planner(channels: readonly ChannelSender[]): Planner {
  return (due: readonly DueUser[]) => {
    const out: ReturnType<Planner> = [];
    for (const user of due) {
      for (const ch of channels) {
        const items = user.items.filter((i) => allows(user.preferences, i.kind, ch.channel));
        if (items.length === 0) continue;
        for (const payload of ch.targets(user, items)) out.push({ id: deliveryId(), user: user.user, channel: ch.channel, payload });
      }
    }
    return out;
  };
}

/** Runs both stages on a timer; see the module comment. */
export class Escalator {
  readonly #o: Required<Omit<EscalatorOptions, 'channels'>>;
  readonly #channels: Map<string, ChannelSender>;
  readonly #plan: Planner;
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: EscalatorOptions) {
    this.#o = { pollMs: 500, leaseMs: 30_000, retryWindowMs: 15 * 60_000, backoffMs: defaultBackoff, batch: 500, ...options };
    this.#channels = new Map(options.channels.map((c) => [c.channel, c]));
    this.#plan = planner(options.channels);
  }

  /** Start looking at the schedule every `pollMs`. */
  start(): void {
    if (this.#stopped || this.#timer) return;
    const tick = () => {
      this.#running = this.tick().finally(() => {
        this.#running = undefined;
        if (!this.#stopped) this.#timer = setTimeout(tick, this.#o.pollMs);
      });
    };
    this.#timer = setTimeout(tick, 0);
  }

  /**
   * One pass: escalate everything due, then make every delivery due (waiting for their sends). Database
   * failures are logged; the next pass tries again.
   */
  async tick(): Promise<void> {
    const { store, batch, after, log } = this.#o;
    try {
      const cutoff = new Date(Date.now() - after * 1000);
      while ((await store.escalateDue(cutoff, batch, this.#plan)) === batch && !this.#stopped);
      for (;;) {
        const claimed = await store.claimDeliveries(new Date(), this.#o.leaseMs, batch);
        await this.#track(this.#deliverAll(claimed));
        if (claimed.length < batch || this.#stopped) break;
      }
    } catch (err) {
      log.warn({ err }, 'escalation pass failed');
    }
  }

  /** Stop the timer and wait for the pass and the sends in flight. */
  async close(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    await Promise.allSettled([...this.#inFlight]);
  }

  #track(p: Promise<void>): Promise<void> {
    this.#inFlight.add(p);
    return p.finally(() => this.#inFlight.delete(p));
  }

  /** Attempt each delivery at once, then record every outcome in one write. */
  async #deliverAll(claimed: readonly DeliveryRecord[]): Promise<void> {
    if (claimed.length === 0) return;
    const finished: string[] = [];
    const retry = new Map<string, Date>();
    await Promise.all(
      claimed.map(async (d) => {
        const at = this.#outcome(d, await this.#attempt(d));
        if (at === null) finished.push(d.id);
        else retry.set(d.id, at);
      }),
    );
    await this.#o.store.settleDeliveries(finished, retry);
  }

  async #attempt(d: DeliveryRecord): Promise<SendResult> {
    const channel = this.#channels.get(d.channel);
    if (channel) return channel.send(d);
    this.#o.log.warn({ channel: d.channel, delivery: d.id }, 'delivery for a channel not configured here');
    return 'failed';
  }

  /** Count the result; null when the delivery is finished, else when to try again. */
  #outcome(d: DeliveryRecord, result: SendResult): Date | null {
    const { metrics, log } = this.#o;
    if (result !== 'failed') {
      metrics.count(d.channel, result === 'sent' ? 'sent' : 'dropped');
      if (result === 'sent') metrics.observeDelay(d, this.#o.after);
      return null;
    }
    metrics.count(d.channel, 'failed');
    const next = Date.now() + this.#o.backoffMs(d.attempts);
    if (next - Date.parse(d.firstAt) > this.#o.retryWindowMs) {
      metrics.count(d.channel, 'dropped');
      log.warn({ channel: d.channel, delivery: d.id, attempts: d.attempts }, 'delivery dropped after retries');
      return null;
    }
    metrics.count(d.channel, 'retried');
    return new Date(next);
  }
}
