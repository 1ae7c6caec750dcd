/**
 * Test helpers for channel layers: a message collector with awaitable `next()` and a fake clock (waits with
 * a deadline: test/support/time.ts).
 */
import type { ChannelLayer, LayerMessage, LayerState } from '../../src/layer/index.js';

/** Collects what a channel receives; `next()` awaits the next message with a timeout. */
export class Collector {
  readonly messages: LayerMessage[] = [];
  private read = 0;
  private waiter: (() => void) | undefined;

  /** Pass this to `layer.receive(channel, collector.handler)`. */
  readonly handler = (message: LayerMessage): void => {
    this.messages.push(message);
    this.waiter?.();
  };

  /** The next message not yet taken, waiting up to `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<LayerMessage> {
    if (this.read < this.messages.length) return this.messages[this.read++]!;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no message within ${timeoutMs} ms (received ${this.messages.length} so far)`));
      }, timeoutMs);
      this.waiter = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve();
      };
    });
    return this.messages[this.read++]!;
  }

  /** The next `n` messages. */
  async take(n: number, timeoutMs = 2000): Promise<LayerMessage[]> {
    const out: LayerMessage[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next(timeoutMs));
    return out;
  }

  /** Messages received but not yet taken. */
  get pending(): number {
    return this.messages.length - this.read;
  }
}

/** Start receiving on `channel` into a new collector. */
export function collect(layer: ChannelLayer, channel: string): Collector {
  const collector = new Collector();
  layer.receive(channel, collector.handler);
  return collector;
}

/**
 * Prove a collector got nothing else: send a marker straight to its channel and expect the marker to be the
 * next message (channel order is preserved, so anything delivered earlier would come first).
 */
export async function expectOnlyMarker(layer: ChannelLayer, channel: string, collector: Collector): Promise<void> {
  const marker = { type: 'test.marker', id: Math.random() };
  await layer.send(channel, marker);
  const next = await collector.next();
  if (next.type !== 'test.marker' || next.id !== marker.id) {
    throw new Error(`expected only the marker, got ${JSON.stringify(next)}`);
  }
}

/** A settable millisecond clock. */
export class FakeClock {
  constructor(public now = Date.now()) {}
  readonly clock = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

/** Resolves when `layer` has passed through each of `states`, in order (counted from now). */
export function statesSeen(layer: ChannelLayer, states: LayerState[]): Promise<void> {
  return new Promise((resolve) => {
    let i = 0;
    const off = layer.onStateChange!((state) => {
      if (state === states[i]) i++;
      if (i < states.length) return;
      off();
      resolve();
    });
  });
}

/** A channel on each of two layers, both in group `g`, each collected. */
export async function twoMembers(a: ChannelLayer, b: ChannelLayer): Promise<{ ca: string; cb: string; ia: Collector; ib: Collector }> {
  const [ca, cb] = [a.newChannel(), b.newChannel()];
  const [ia, ib] = [collect(a, ca), collect(b, cb)];
  await a.groupAdd('g', ca);
  await b.groupAdd('g', cb);
  return { ca, cb, ia, ib };
}
