/**
 * Channel and group names, and message shape checks, shared by every channel layer backend.
 *
 * A name is 1-99 ASCII letters, digits, `-`, `_` or `.` (as in Django Channels). A channel name may also
 * contain one `!`: everything before it names the process that owns the channel (`<prefix>.<node>!<random>`,
 * see {@link newChannelName}), which is how a multi-process backend routes a `send` to its owner.
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import type { LayerMessage } from './types.js';

/** Names must be shorter than this (Channels' `MAX_NAME_LENGTH`). */
export const MAX_NAME_LENGTH = 100;

const GROUP_NAME = /^[A-Za-z0-9._-]+$/;
const CHANNEL_NAME = /^[A-Za-z0-9._-]+(![A-Za-z0-9._-]*)?$/;
const NODE_ID = /^[A-Za-z0-9_-]+$/;

/** A TypeError carrying `code = 'INVALID_NAME'` (mapped to HTTP 400 by the error table). */
export class InvalidNameError extends TypeError {
  readonly code = 'INVALID_NAME' as const;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidNameError';
  }
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : typeof value;
  const shown = value.length > 120 ? `${value.slice(0, 120)}...` : value;
  return JSON.stringify(shown);
}

function check(kind: string, value: unknown, pattern: RegExp, rule: string): string {
  if (typeof value === 'string' && value.length < MAX_NAME_LENGTH && pattern.test(value)) return value;
  throw new InvalidNameError(
    `invalid ${kind} name ${describe(value)}: use 1-${MAX_NAME_LENGTH - 1} ASCII letters, digits, '-', '_' or '.'${rule}`,
  );
}

/**
 * Check a group name (letters, digits, `-_.`, under 100 characters) and return it.
 * @throws InvalidNameError (a TypeError) naming the bad value.
 */
export function validateGroupName(name: unknown): string {
  return check('group', name, GROUP_NAME, '');
}

/**
 * Check a channel name (as a group name, plus at most one `!` for a process-specific channel) and return it.
 * @throws InvalidNameError (a TypeError) naming the bad value.
 */
export function validateChannelName(name: unknown): string {
  return check('channel', name, CHANNEL_NAME, " (and one '!' in a process-specific name)");
}

/**
 * Check that `message` is an object with a string `type` and return it. The layer does not check that it is
 * JSON-serialisable here (that would cost a stringify per send); the Redis backend fails when it encodes it.
 * @throws TypeError naming what is wrong.
 */
export function validateMessage(message: unknown): LayerMessage {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new TypeError(`a layer message must be an object with a string "type", got ${describe(message)}`);
  }
  const type = (message as { type?: unknown }).type;
  if (typeof type !== 'string' || type.length === 0) {
    throw new TypeError(`a layer message needs a non-empty string "type", got ${describe(type)}`);
  }
  return message as LayerMessage;
}

/** A fresh random node id (12 hex characters): one per layer instance, i.e. per process in practice. */
export function createNodeId(): string {
  return randomBytes(6).toString('hex');
}

/** Bytes of a channel name's random part. */
const NAME_RANDOM = 12;
/** CSPRNG output for 256 names, filled at once: one call per 256 connections instead of one each. */
const randomPool = Buffer.alloc(NAME_RANDOM * 256);
let poolAt = randomPool.length;

/** The next 96 random bits of the pool, base64url; each pool byte is used once. */
function nameRandom(): string {
  if (poolAt === randomPool.length) {
    randomFillSync(randomPool);
    poolAt = 0;
  }
  const text = randomPool.toString('base64url', poolAt, poolAt + NAME_RANDOM);
  poolAt += NAME_RANDOM;
  return text;
}

/**
 * A new process-specific channel name `<prefix>.<node>!<random>`. The random part is 96 bits from the CSPRNG
 * (base64url, drawn from a pool refilled every 256 names), so names are unique and not guessable.
 * @throws InvalidNameError when `prefix` is invalid or contains `!`, or the result would be too long.
 */
export function newChannelName(prefix: string, node: string): string {
  validateGroupName(prefix);
  return validateChannelName(`${prefix}.${node}!${nameRandom()}`);
}

/**
 * The node id that owns a process-specific channel (`a.b.<node>!x` -> `<node>`), or `undefined` when the name
 * has no `!` (not process-specific) or no node part.
 */
export function channelNode(channel: string): string | undefined {
  const bang = channel.indexOf('!');
  if (bang < 0) return undefined;
  const node = channel.slice(channel.lastIndexOf('.', bang) + 1, bang);
  return NODE_ID.test(node) ? node : undefined;
}
