/**
 * The Redis layer's subscriber connection: which topics this process needs, and restoring all of them after
 * every (re)connect, so the layer knows exactly when it is whole again.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../log/index.js';

/** Topics per SUBSCRIBE command when restoring (keeps one command's size reasonable). */
const SUBSCRIBE_BATCH = 1000;

const noop = (): void => {};

export interface TopicSubscriberEvents {
  /** A message on a subscribed topic. */
  onPayload(topic: string, payload: string): void;
  /** Subscriptions became complete (true) or were lost with the connection (false). */
  onUpChange(up: boolean): void;
}

/**
 * Keeps `sub` subscribed to the node topic (always) and to every topic asked for with {@link ensure} until
 * {@link drop}. ioredis' own auto-resubscribe is off (see `openConnection`): after each `ready` this class
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
    private readonly nodeTopic: string,
    private readonly log: Logger,
    private readonly events: TopicSubscriberEvents,
  ) {
    sub.on('ready', () => void this.restore());
    sub.on('close', () => {
      this.epoch++;
      this.setUp(false);
    });
    sub.on('message', (topic: string, payload: string) => events.onPayload(topic, payload));
  }

  /** Whether every wanted topic is subscribed on a live connection. */
  get up(): boolean {
    return this.isUp;
  }

  /** Number of group topics wanted. */
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
    const topics = [this.nodeTopic, ...this.topics.keys()];
    try {
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
    this.events.onUpChange(up);
  }
}
