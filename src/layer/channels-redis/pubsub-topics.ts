/**
 * The pub/sub layer's subscriber connection: one pattern for every channel of this process
 * (`*.<client>!*`, so a channel costs no SUBSCRIBE of its own) and one topic per group with a local member,
 * all restored after each (re)connect before the connection counts as up. Payloads stay binary (msgpack).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../log/index.js';

const noop = (): void => {};

/** Topics per SUBSCRIBE when restoring. */
const SUBSCRIBE_BATCH = 1000;

export interface PubSubTopicEvents {
  /** A message on a group topic. */
  onTopic(topic: string, payload: Buffer): void;
  /** A message on a channel of this process (matched by the pattern). */
  onChannel(channel: string, payload: Buffer): void;
  /** Subscriptions became complete (true) or were lost with the connection (false). */
  onUpChange(up: boolean): void;
}

/** Keeps `sub` subscribed to the channel pattern and to the group topics wanted. */
export class PubSubTopics {
  private readonly topics = new Map<string, Promise<void>>();
  private epoch = 0;
  private isUp = false;
  private closed = false;

  constructor(
    private readonly sub: Redis,
    private readonly pattern: string,
    private readonly log: Logger,
    private readonly events: PubSubTopicEvents,
  ) {
    sub.on('ready', () => void this.restore());
    sub.on('close', () => {
      this.epoch++;
      this.setUp(false);
    });
    sub.on('messageBuffer', (topic: Buffer, payload: Buffer) => events.onTopic(topic.toString(), payload));
    sub.on('pmessageBuffer', (_pattern: string, channel: Buffer, payload: Buffer) => events.onChannel(channel.toString(), payload));
  }

  get up(): boolean {
    return this.isUp;
  }

  /** Want `topic`; resolves once subscribed (or at once while disconnected: subscribed on reconnect). */
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

  /** No longer want `topic`. */
  drop(topic: string): void {
    if (!this.topics.delete(topic) || this.closed || this.sub.status !== 'ready') return;
    this.sub.unsubscribe(topic).catch(noop);
  }

  close(): void {
    this.closed = true;
    this.topics.clear();
  }

  private async restore(): Promise<void> {
    const epoch = ++this.epoch;
    const topics = [...this.topics.keys()];
    try {
      await this.sub.psubscribe(this.pattern);
      for (let i = 0; i < topics.length; i += SUBSCRIBE_BATCH) await this.sub.subscribe(...topics.slice(i, i + SUBSCRIBE_BATCH));
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
