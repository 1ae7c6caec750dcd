/**
 * The Redis layer's wire format: JSON with a small envelope, encoded once per send whatever the member count.
 *
 * - group topic:  `{"o":"<origin node>","m":<message>}`
 * - node topic:   `{"o":"<origin node>","c":"<channel>","m":<message>}` (a `send` to a channel of that node)
 *                 `{"o":"<origin node>","op":"add"|"discard","g":"<group>","c":"<channel>"}` (membership
 *                 change for a channel of that node, made from another process)
 *
 * `o` comes first so a process can recognise its own broadcasts coming back with a prefix test, unparsed.
 */
import { TidingsError } from '../../errors.js';
import { validateChannelName, validateGroupName, validateMessage } from '../names.js';
import type { LayerMessage } from '../types.js';
import { checkMaxMessageBytes } from '../options.js';

/** Default `maxMessageBytes`: 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** A decoded payload. */
export type Inbound =
  | { readonly kind: 'group'; readonly origin: string; readonly message: LayerMessage }
  | { readonly kind: 'channel'; readonly origin: string; readonly channel: string; readonly message: LayerMessage }
  | { readonly kind: 'add'; readonly origin: string; readonly group: string; readonly channel: string }
  | { readonly kind: 'discard'; readonly origin: string; readonly group: string; readonly channel: string };

/** Thrown by {@link RedisCodec.decode} for a payload that is not in the format above. */
export class MalformedPayloadError extends Error {
  constructor(reason: string) {
    super(`malformed layer payload: ${reason}`);
    this.name = 'MalformedPayloadError';
  }
}

/** Encoder/decoder bound to one node id and size limit. */
export class RedisCodec {
  private readonly head: string;

  constructor(
    readonly node: string,
    readonly maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
  ) {
    checkMaxMessageBytes(maxBytes);
    this.head = `{"o":${JSON.stringify(node)}`;
  }

  /** Payload for a group topic. @throws TidingsError MESSAGE_TOO_LARGE; TypeError if not serialisable. */
  encodeGroup(message: LayerMessage): string {
    return this.limit(`${this.head},"m":${stringify(message)}}`);
  }

  /** Payload for a node topic carrying a `send`. @throws as {@link encodeGroup}. */
  encodeChannel(channel: string, message: LayerMessage): string {
    return this.limit(`${this.head},"c":${JSON.stringify(channel)},"m":${stringify(message)}}`);
  }

  /** Payload for a node topic carrying a membership change. */
  encodeMembership(op: 'add' | 'discard', group: string, channel: string): string {
    return JSON.stringify({ o: this.node, op, g: group, c: channel });
  }

  /** Whether `payload` was published by this node (checked without parsing). */
  isOwn(payload: string): boolean {
    return payload.startsWith(this.head) && payload.charCodeAt(this.head.length) === 44; // ','
  }

  /** Parse and check a payload. @throws MalformedPayloadError saying what is wrong. */
  decode(payload: string): Inbound {
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch {
      throw new MalformedPayloadError('not JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new MalformedPayloadError('not an object');
    }
    const { o: origin, m: message, c: channel, g: group, op } = value as Record<string, unknown>;
    if (typeof origin !== 'string') throw new MalformedPayloadError('no origin');
    return guard(() => {
      if (op === 'add' || op === 'discard') {
        const membership = { origin, group: validateGroupName(group), channel: validateChannelName(channel) };
        return op === 'add' ? { kind: 'add', ...membership } : { kind: 'discard', ...membership };
      }
      if (op !== undefined) throw new MalformedPayloadError(`unknown op ${JSON.stringify(op)}`);
      if (channel !== undefined) {
        return { kind: 'channel', origin, channel: validateChannelName(channel), message: validateMessage(message) };
      }
      return { kind: 'group', origin, message: validateMessage(message) };
    });
  }

  private limit(payload: string): string {
    // UTF-8 needs at least one byte and at most three per UTF-16 unit: most payloads skip the exact count.
    if (payload.length * 3 <= this.maxBytes) return payload;
    const exact = payload.length <= this.maxBytes;
    const bytes = exact ? Buffer.byteLength(payload) : payload.length;
    if (bytes > this.maxBytes) {
      throw new TidingsError(
        'MESSAGE_TOO_LARGE',
        `encoded message is ${exact ? '' : 'at least '}${bytes} bytes; the channel layer accepts at most ${this.maxBytes}`,
        { details: { limit: this.maxBytes } },
      );
    }
    return payload;
  }
}

function stringify(message: LayerMessage): string {
  try {
    return JSON.stringify(message);
  } catch (err) {
    throw new TypeError(`layer message of type ${JSON.stringify(message.type)} is not JSON-serialisable`, {
      cause: err,
    });
  }
}

/** Turn a validation TypeError into a MalformedPayloadError. */
function guard(decode: () => Inbound): Inbound {
  try {
    return decode();
  } catch (err) {
    if (err instanceof MalformedPayloadError) throw err;
    throw new MalformedPayloadError((err as Error).message);
  }
}
