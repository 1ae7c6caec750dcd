/**
 * Validation and defaults for {@link ChannelLayerOptions}, shared by every backend.
 */
import { validateGroupName } from './names.js';
import type { ChannelLayerOptions } from './types.js';

/** Defaults, as in channels_redis (durations in seconds). */
export const LAYER_DEFAULTS = Object.freeze({
  capacity: 100,
  expiry: 60,
  groupExpiry: 86_400,
  prefix: 'tidings',
});

/** Options after validation, durations converted to milliseconds. */
export interface ResolvedLayerOptions {
  readonly capacity: number;
  readonly expiryMs: number;
  readonly groupExpiryMs: number;
  readonly prefix: string;
}

function positive(name: string, value: number | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'integer' : 'number';
    throw new RangeError(`channel layer option ${name} must be a positive ${kind}, got ${String(value)}`);
  }
  return value;
}

/**
 * Validate options up front and fill in defaults.
 * @throws RangeError for a non-positive or non-finite number; TypeError (InvalidNameError) for a bad prefix.
 */
export function resolveLayerOptions(options: ChannelLayerOptions = {}): ResolvedLayerOptions {
  const prefix = options.prefix ?? LAYER_DEFAULTS.prefix;
  validateGroupName(prefix);
  return {
    capacity: positive('capacity', options.capacity, LAYER_DEFAULTS.capacity, true),
    expiryMs: positive('expiry', options.expiry, LAYER_DEFAULTS.expiry, false) * 1000,
    groupExpiryMs: positive('groupExpiry', options.groupExpiry, LAYER_DEFAULTS.groupExpiry, false) * 1000,
    prefix,
  };
}
