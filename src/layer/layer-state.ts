/**
 * A layer's `state` and its change listeners (shared by the backends).
 */
import type { Logger } from '../log/index.js';
import type { LayerState } from './types.js';

/** Listener for {@link StateTracker.onChange}; it must not throw (a throw is logged and swallowed). */
export type StateListener = (state: LayerState, previous: LayerState) => void;

/** Holds the current state and tells listeners about each change, once per change. `closed` is final. */
export class StateTracker {
  private current: LayerState;
  private readonly listeners = new Set<StateListener>();

  constructor(
    initial: LayerState,
    private readonly logger: Logger,
  ) {
    this.current = initial;
  }

  get state(): LayerState {
    return this.current;
  }

  /** Move to `next`; no-op when unchanged or already closed. */
  set(next: LayerState): void {
    const previous = this.current;
    if (previous === next || previous === 'closed') return;
    this.current = next;
    for (const listener of [...this.listeners]) {
      try {
        listener(next, previous);
      } catch (err) {
        this.logger.warn({ err }, 'layer state listener threw');
      }
    }
    if (next === 'closed') this.listeners.clear();
  }

  /** Register a listener; returns a function that removes it. */
  onChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
