/**
 * channels_redis 4.x on the wire: names, Redis keys and the msgpack encoding, exactly as the Python package
 * (`channels_redis.core.RedisChannelLayer`, `channels_redis.pubsub.RedisPubSubChannelLayer`) writes them, so a
 * Django process and a Tidings process can share one Redis.
 *
 * Core layer:
 * - a process-specific channel is `<prefix>.<client_prefix>!<uuid4 hex>`; its "non-local name" is the part up
 *   to and including `!`, and every channel of one process with the same prefix shares ONE sorted set,
 *   `<layer prefix><non-local name>` (e.g. `asgispecific.<client_prefix>!` - no separator after the prefix);
 * - a member of that sorted set is 12 random bytes followed by the msgpack map of the message, scored by the
 *   send time in seconds (float); the map carries `__asgi_channel__`: the full channel name for a `send`, the
 *   list of full channel names of that process for a `group_send`;
 * - a group is the sorted set `<layer prefix>:group:<group>` of channel names scored by their `group_add` time.
 *
 * Pub/sub layer: a message is the bare msgpack map (no prefix, no `__asgi_channel__`), published on the
 * channel's name, or on `<layer prefix>__group__<group>` for a group.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { decode, encode } from '@msgpack/msgpack';
import { TidingsError } from '../../errors.js';
import { validateGroupName, validateChannelName, validateMessage } from '../names.js';
import type { LayerMessage } from '../types.js';
import { checkMaxMessageBytes } from '../options.js';

/** The reserved key naming the destination channel(s) inside a core-layer message. */
export const ASGI_CHANNEL = '__asgi_channel__';

/** channels_redis' default key prefix. */
export const DEFAULT_CHANNELS_PREFIX = 'asgi';

/**
 * The scores of the messages one process writes: the send time in seconds, as channels_redis uses, but
 * strictly increasing. Two sends in the same millisecond would otherwise tie, and a sorted set orders ties by
 * member, whose random prefix would shuffle them; a receiver (ZPOPMIN) must see one sender's messages in order.
 */
export class MessageScores {
  private last = 0;

  constructor(private readonly clock: () => number) {}

  /** The next score: now, or a microsecond after the previous score when the clock has not moved past it. */
  next(): number {
    this.last = Math.max(this.clock() / 1000, this.last + 1e-6);
    return this.last;
  }
}

/** Bytes of random prefix before the msgpack body (keeps identical messages distinct in a sorted set). */
export const RANDOM_PREFIX_BYTES = 12;

/** A uuid4 as 32 hex digits, as Python's `uuid.uuid4().hex`. */
export function uuidHex(): string {
  return randomUUID().replaceAll('-', '');
}

/**
 * A new process-specific channel name, `<prefix>.<client>!<uuid4 hex>` (channels_redis' `new_channel`).
 * @throws InvalidNameError (a TypeError) for an invalid prefix (or one containing `!`).
 */
export function newSpecificChannel(prefix: string, client: string): string {
  validateGroupName(prefix);
  return validateChannelName(`${prefix}.${client}!${uuidHex()}`);
}

/** The part of a channel name up to and including `!`, or the whole name when it has none. */
export function nonLocalName(channel: string): string {
  const bang = channel.indexOf('!');
  return bang < 0 ? channel : channel.slice(0, bang + 1);
}

/** Redis key names under one layer prefix. */
export class ChannelsRedisKeys {
  constructor(readonly prefix: string) {}

  /** The sorted set holding the messages of `channel` (shared by its process's channels of one prefix). */
  channelKey(channel: string): string {
    return this.prefix + nonLocalName(channel);
  }

  /** The sorted set of a group's member channels (core layer). */
  groupKey(group: string): string {
    return `${this.prefix}:group:${group}`;
  }

  /** The pub/sub channel a group's messages are published on (pub/sub layer). */
  groupTopic(group: string): string {
    return `${this.prefix}__group__${group}`;
  }
}

/** Reject what channels_redis would refuse: a message carrying the reserved `__asgi_channel__` key. */
export function checkOutgoing(message: LayerMessage): LayerMessage {
  validateMessage(message);
  if (Object.prototype.hasOwnProperty.call(message, ASGI_CHANNEL)) {
    throw new TypeError(`a layer message must not contain the reserved key "${ASGI_CHANNEL}"`);
  }
  return message;
}

/** Encodes and decodes messages, with a size limit on what is sent. */
export class ChannelsRedisCodec {
  constructor(readonly maxBytes: number) {
    checkMaxMessageBytes(maxBytes);
  }

  /** msgpack of `value` (the pub/sub layer's whole payload). @throws MESSAGE_TOO_LARGE; TypeError if not encodable. */
  pack(value: Readonly<Record<string, unknown>>): Buffer {
    let body: Uint8Array;
    try {
      body = encode(value);
    } catch (err) {
      throw new TypeError(`layer message of type ${JSON.stringify(value.type)} cannot be encoded as msgpack`, { cause: err });
    }
    if (body.byteLength > this.maxBytes) {
      throw new TidingsError('MESSAGE_TOO_LARGE', `encoded message is ${body.byteLength} bytes; the channel layer accepts at most ${this.maxBytes}`, {
        details: { limit: this.maxBytes },
      });
    }
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }

  /** A core-layer sorted-set member: 12 random bytes + msgpack. @throws as {@link pack}. */
  packMember(value: Readonly<Record<string, unknown>>): Buffer {
    return Buffer.concat([randomBytes(RANDOM_PREFIX_BYTES), this.pack(value)]);
  }

  /** Decode a pub/sub payload. @throws TypeError when it is not a msgpack map with a string `type`. */
  unpack(payload: Uint8Array): Record<string, unknown> {
    const value = decode(payload);
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
      throw new TypeError('payload is not a msgpack map');
    }
    validateMessage(value);
    return value as Record<string, unknown>;
  }

  /** Decode a core-layer member (random prefix skipped). @throws TypeError as {@link unpack}. */
  unpackMember(member: Uint8Array): Record<string, unknown> {
    if (member.byteLength <= RANDOM_PREFIX_BYTES) throw new TypeError('member shorter than its random prefix');
    return this.unpack(member.subarray(RANDOM_PREFIX_BYTES));
  }
}

/**
 * Split a decoded core-layer message into its destination channel names and the message proper (without
 * `__asgi_channel__`). @throws TypeError when the destination is missing or malformed.
 */
export function splitDestination(value: Record<string, unknown>): { channels: string[]; message: LayerMessage } {
  const target = value[ASGI_CHANNEL];
  delete value[ASGI_CHANNEL];
  const channels = typeof target === 'string' ? [target] : Array.isArray(target) ? target : undefined;
  if (channels === undefined || channels.length === 0 || !channels.every((c) => typeof c === 'string')) {
    throw new TypeError(`message has no valid "${ASGI_CHANNEL}"`);
  }
  return { channels: channels as string[], message: value as LayerMessage };
}
