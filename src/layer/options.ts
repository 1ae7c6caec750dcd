/**
 * Validation and defaults for {@link ChannelLayerOptions}, shared by every backend.
 */
import { TidingsError } from '../errors.js';
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

/** A bad layer option: CONFIG_INVALID from the error table, the option's name in `details.option`. */
export function optionError(option: string, problem: string): TidingsError {
  return new TidingsError('CONFIG_INVALID', `channel layer option ${option} ${problem}`, { details: { option } });
}

/** `value` if it is a positive (integer) number, `fallback` if undefined. @throws TidingsError CONFIG_INVALID */
export function positive(name: string, value: number | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw optionError(name, `must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`);
  }
  return value;
}

/** The largest encoded message, at least 64 bytes. @throws TidingsError CONFIG_INVALID */
export function checkMaxMessageBytes(maxBytes: number): number {
  if (!Number.isInteger(maxBytes) || maxBytes < 64) throw optionError('maxMessageBytes', `must be an integer >= 64, got ${String(maxBytes)}`);
  return maxBytes;
}

/**
 * Validate options up front and fill in defaults.
 * @throws TidingsError CONFIG_INVALID for a non-positive or non-finite number; InvalidNameError (a TypeError)
 *   for a bad prefix.
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
