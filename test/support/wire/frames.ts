/**
 * WebSocket frames on the wire, for tests that write what no real client would send and read what the
 * server sends back. Built on the bench's frame code (bench/load/frame-parser.ts, unit-tested in
 * test/unit/bench/), so the load generator and the tests share one header reader and one encoder.
 */
import { constants, inflateRawSync } from 'node:zlib';
import { Opcode, readFrameHeader } from '../../../bench/load/frame-parser.js';

export { closeCodeOf, encodeFrame, Opcode, readFrameHeader, type FrameHeader, type FrameSpec } from '../../../bench/load/frame-parser.js';

/** The payload of a close frame: a 2-byte code and a reason. */
export function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code);
  return Buffer.concat([head, typeof reason === 'string' ? Buffer.from(reason) : reason]);
}

/** A whole frame from the server (unmasked), its payload inflated when it was compressed. */
export interface ServerFrame {
  opcode: number;
  fin: boolean;
  payload: Buffer;
}

/**
 * Reads whole frames from the bytes of a connection, in order. With `inflate` (the server accepted
 * permessage-deflate with `server_no_context_takeover`), a compressed frame (RSV1) is inflated on its own.
 */
export class FrameReader {
  #buf: Buffer = Buffer.alloc(0);

  constructor(private readonly inflate = false) {}

  /** Add `chunk`; returns the frames it completed. */
  push(chunk: Buffer): ServerFrame[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const frames: ServerFrame[] = [];
    for (;;) {
      const head = readFrameHeader(this.#buf);
      if (!head || this.#buf.length < head.size + head.length) return frames;
      let payload = this.#buf.subarray(head.size, head.size + head.length);
      this.#buf = this.#buf.subarray(head.size + head.length);
      if (this.inflate && (head.rsv & 4) !== 0) {
        payload = inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: constants.Z_SYNC_FLUSH });
      }
      frames.push({ opcode: head.opcode, fin: head.fin, payload });
    }
  }
}

/** Whether `opcode` is a control frame (close, ping, pong). */
export function isControl(opcode: number): boolean {
  return opcode >= Opcode.CLOSE;
}
