/**
 * A layer's subscriber connection: which topics this process needs, and restoring all of them after every
 * (re)connect, so the layer knows exactly when it is whole again. Used by Tidings' Redis layer (its node
 * topic, plus a topic per group with a local member) and the channels_redis pub/sub layer (a pattern for
 * its channels, plus its group topics). The caller listens for messages on the connection itself (text or
 * binary, as its wire format needs).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../log/index.js';

/** Topics per SUBSCRIBE command when restoring (keeps one command's size reasonable). */
const SUBSCRIBE_BATCH = 1000;

const noop = (): void => {};

/** What is subscribed whatever is asked for: topics and patterns (PSUBSCRIBE). */
export interface StandingSubscriptions {
  topics?: readonly string[];
  patterns?: readonly string[];
}

/**
 * Keeps `sub` subscribed to the standing topics and patterns and to every topic asked for with
 * {@link ensure} until {@link drop}. ioredis' own auto-resubscribe is off (see `openConnection`): after each `ready` this class
 * subscribes to the full set and only then reports `up`.
 */
export class TopicSubscriber {
  /** Topics wanted -> their pending or settled SUBSCRIBE (so concurrent callers await the same one). */
  private readonly topics = new Map<string, Promise<void>>();
  private epoch = 0;
  private isUp = false;
  private closed = false;

  constructor(
    private readonly sub: Redis,
    private readonly standing: StandingSubscriptions,
    private readonly log: Logger,
    /** Subscriptions became complete (true) or were lost with the connection (false). */
    private readonly onUpChange: (up: boolean) => void,
  ) {
    sub.on('ready', () => void this.restore());
    sub.on('close', () => {
      this.epoch++;
      this.setUp(false);
    });
  }

  /** Whether every wanted topic is subscribed on a live connection. */
  get up(): boolean {
    return this.isUp;
  }

  /** Number of topics asked for (the standing ones not counted). */
  get size(): number {
    return this.topics.size;
  }

  /**
   * Want `topic`. Resolves once Redis acknowledged the subscription, or at once while disconnected (it is
   * subscribed on reconnect). A failed SUBSCRIBE is logged, not thrown.
   */
  ensure(topic: string): Promise<void> {
    let pending = this.topics.get(topic);
    if (pending === undefined) {
      pending =
        this.sub.status === 'ready'
          ? this.sub.subscribe(topic).then(noop, (err: unknown) => this.log.warn({ err, topic }, 'subscribe failed'))
          : Promise.resolve();
      this.topics.set(topic, pending);
    }
    return pending;
  }

  /** No longer want `topic` (fire and forget: commands on one connection run in order). */
  drop(topic: string): void {
    if (!this.topics.delete(topic) || this.closed || this.sub.status !== 'ready') return;
    this.sub.unsubscribe(topic).catch(noop);
  }

  /** Stop reporting; the caller quits the connection. */
  close(): void {
    this.closed = true;
    this.topics.clear();
  }

  private async restore(): Promise<void> {
    const epoch = ++this.epoch;
    const topics = [...(this.standing.topics ?? []), ...this.topics.keys()];
    try {
      if (this.standing.patterns?.length) await this.sub.psubscribe(...this.standing.patterns);
      for (let i = 0; i < topics.length; i += SUBSCRIBE_BATCH) {
        await this.sub.subscribe(...topics.slice(i, i + SUBSCRIBE_BATCH));
      }
    } catch (err) {
      if (epoch !== this.epoch || this.closed) return;
      this.log.warn({ err }, 'redis resubscribe failed; reconnecting');
      this.sub.disconnect(true);
      return;
    }
    if (epoch === this.epoch) this.setUp(true);
  }

  private setUp(up: boolean): void {
    if (this.isUp === up || this.closed) return;
    this.isUp = up;
    this.onUpChange(up);
  }
}
