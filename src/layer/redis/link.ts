/**
 * What every Redis-backed layer keeps about its link to Redis, written once for Tidings' Redis layer and the
 * two channels_redis-compatible layers: the state (`degraded` until Redis answers), the last connection
 * error, logging of state changes, waiting until ready, and the start-up rule of `optional`.
 */
import type { Redis } from 'ioredis';
import { TidingsError } from '../../errors.js';
import { redactUrl, silentLogger, type Logger } from '../../log/index.js';
import { StateTracker } from '../layer-state.js';
import type { LayerState } from '../types.js';
import type { StateListener } from '../layer-state.js';
import { unavailable } from './connection.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './options.js';

export class RedisLink {
  readonly tracker: StateTracker;
  /** The last error a connection reported (named in LAYER_UNAVAILABLE errors). */
  lastError: Error | undefined;

  constructor(
    readonly url: string,
    private readonly log: Logger,
  ) {
    this.tracker = new StateTracker('degraded', log);
    this.tracker.onChange((state, previous) => {
      const where = redactUrl(url);
      if (state === 'degraded') log.warn({ err: this.lastError, url: where }, 'channel layer degraded: redis unreachable');
      else if (state === 'ready' && previous === 'degraded') log.info({ url: where }, 'channel layer ready');
    });
  }

  get state(): LayerState {
    return this.tracker.state;
  }

  /** Record `redis`'s errors (they are expected while Redis is down: logged at debug). */
  watch(redis: Redis, role: string): Redis {
    redis.on('error', (err: Error) => {
      this.lastError = err;
      this.log.debug({ err, role }, 'redis connection error');
    });
    return redis;
  }

  onStateChange(listener: StateListener): () => void {
    return this.tracker.onChange(listener);
  }

  /** LAYER_UNAVAILABLE naming the URL (password redacted) and `cause` (default: the last connection error). */
  unavailable(cause: unknown = this.lastError): TidingsError {
    return unavailable(this.url, cause);
  }

  /** @throws TidingsError LAYER_UNAVAILABLE once the layer is closed. */
  assertOpen(): void {
    if (this.state === 'closed') throw new TidingsError('LAYER_UNAVAILABLE', 'channel layer is closed');
  }

  /**
   * Resolve once `state` is `ready`.
   * @throws TidingsError LAYER_UNAVAILABLE after `timeoutMs` (or on close), naming the URL (password
   *   redacted) and the last connection error.
   */
  whenReady(timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const settle = (why?: string): void => {
        off();
        clearTimeout(timer);
        if (why === undefined) return resolve();
        const last = this.lastError ? ` (${this.lastError.message})` : '';
        reject(new TidingsError('LAYER_UNAVAILABLE', `cannot reach Redis at ${redactUrl(this.url)}: ${why}${last}`, { cause: this.lastError }));
      };
      const timer = setTimeout(() => settle(`no answer within ${timeoutMs} ms`), timeoutMs);
      const off = this.tracker.onChange((state) => {
        if (state !== 'degraded') settle(state === 'ready' ? undefined : 'layer closed');
      });
      if (this.state === 'closed') settle('layer closed');
    });
  }
}

/** What {@link readyOrClosed} needs of a layer and its options. */
interface Starting {
  whenReady(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Wait for a new layer to be ready. On failure close it and rethrow, or, with `optional`, log (warn) and
 * return it `degraded`: local delivery works, and it connects when Redis comes up.
 */
export async function readyOrClosed<L extends Starting>(layer: L, options: { connectTimeoutMs?: number | undefined; optional?: boolean | undefined; logger?: Logger | undefined }): Promise<L> {
  try {
    await layer.whenReady(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  } catch (err) {
    if (options.optional) {
      (options.logger ?? silentLogger()).warn({ err }, 'redis unreachable at start; channel layer degraded');
      return layer;
    }
    await layer.close();
    throw err;
  }
  return layer;
}
