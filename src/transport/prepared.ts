/**
 * Encode-once text messages: `prepareText(json)` is shared by every recipient of a broadcast; its frame bytes
 * are built on first use and then written as-is to every socket.
 */
import { Buffer } from 'node:buffer';
import type { PreparedText } from './types.js';

class Prepared implements PreparedText {
  #frame: Buffer | undefined;
  constructor(readonly text: string) {}

  frame(): Buffer {
    this.#frame ??= buildTextFrame(this.text);
    return this.#frame;
  }
}

/** A text message to be sent to many sockets. */
export function prepareText(text: string): PreparedText {
  return new Prepared(text);
}

/** An unmasked, final, text WebSocket frame (RFC 6455 5.2) carrying `text`. */
export function buildTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, headerLength, 'utf8');
  return frame;
}
