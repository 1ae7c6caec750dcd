/**
 * `MemoryChannelLayer`: the channel layer for one process (Django Channels' `InMemoryChannelLayer`).
 */
import { TidingsError } from '../errors.js';
import { silentLogger, type Logger } from '../log/index.js';
import { LocalRegistry, type LayerUsage } from './local-registry.js';
import { createNodeId, newChannelName, validateChannelName, validateGroupName, validateMessage } from './names.js';
import { resolveLayerOptions } from './options.js';
import { StateTracker, type StateListener } from './layer-state.js';
import type { ChannelLayer, ChannelLayerOptions, LayerMessage, LayerState, LayerStats, MessageHandler } from './types.js';

/** Options of {@link createMemoryChannelLayer}. */
export interface MemoryChannelLayerOptions extends ChannelLayerOptions {
  /** Where handler errors are logged; default silent. */
  logger?: Logger;
  /** Milliseconds clock used for expiry (default `Date.now`); tests pass a fake one. */
  clock?: () => number;
}

/**
 * A {@link ChannelLayer} held in this process's memory, with Channels' semantics: process-specific names,
 * `capacity` per channel, message `expiry`, `groupExpiry`. Delivery is asynchronous (one microtask per batch)
 * and a group send hands the SAME message object to every member. `state` is `ready` until closed.
 * Memory is bounded: `capacity` messages per channel, dropped after `expiry`; idle channels and expired
 * memberships are freed by a periodic sweep.
 */
export class MemoryChannelLayer implements ChannelLayer {
  /** This instance's node id, the middle part of its channel names. */
  readonly node = createNodeId();
  private readonly registry: LocalRegistry;
  private readonly tracker: StateTracker;

  constructor(options: MemoryChannelLayerOptions = {}) {
    const resolved = resolveLayerOptions(options);
    const logger = (options.logger ?? silentLogger()).child({ component: 'memory-layer' });
    this.tracker = new StateTracker('ready', logger);
    this.registry = new LocalRegistry({ ...resolved, logger, clock: options.clock });
  }

  get state(): LayerState {
    return this.tracker.state;
  }

  get stats(): Readonly<LayerStats> {
    return this.registry.stats;
  }

  newChannel(prefix = 'specific'): string {
    return newChannelName(prefix, this.node);
  }

  receive(channel: string, onMessage: MessageHandler): () => void {
    validateChannelName(channel);
    if (typeof onMessage !== 'function') throw new TypeError('receive needs a message handler function');
    return this.registry.receive(channel, onMessage);
  }

  async send(channel: string, message: LayerMessage): Promise<void> {
    validateChannelName(channel);
    validateMessage(message);
    this.assertOpen();
    this.registry.send(channel, message);
  }

  async groupAdd(group: string, channel: string): Promise<void> {
    validateGroupName(group);
    validateChannelName(channel);
    this.assertOpen();
    this.registry.groupAdd(group, channel);
  }

  async groupDiscard(group: string, channel: string): Promise<void> {
    validateGroupName(group);
    validateChannelName(channel);
    this.registry.groupDiscard(group, channel);
  }

  async groupSend(group: string, message: LayerMessage): Promise<void> {
    validateGroupName(group);
    validateMessage(message);
    this.assertOpen();
    this.registry.groupSend(group, message);
  }

  /** Call `listener` on each state change (for a memory layer: only to `closed`). Returns an unsubscribe. */
  onStateChange(listener: StateListener): () => void {
    return this.tracker.onChange(listener);
  }

  /** Sizes of the local state (channels held, groups with members), for gauges and tests. */
  usage(): LayerUsage {
    return this.registry.usage();
  }

  /** Drop expired messages and memberships now (it also runs periodically on its own). */
  sweep(): void {
    this.registry.sweep();
  }

  async close(): Promise<void> {
    this.tracker.set('closed');
    this.registry.close();
  }

  private assertOpen(): void {
    if (this.tracker.state === 'closed') throw new TidingsError('LAYER_UNAVAILABLE', 'channel layer is closed');
  }
}

/**
 * Create a {@link MemoryChannelLayer}.
 * @throws TidingsError CONFIG_INVALID for an invalid option (named in `details.option`); InvalidNameError for a bad prefix.
 */
export function createMemoryChannelLayer(options: MemoryChannelLayerOptions = {}): MemoryChannelLayer {
  return new MemoryChannelLayer(options);
}
