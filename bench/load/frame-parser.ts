/**
 * A WebSocket frame reader that looks at frame headers only (RFC 6455 §5.2), so one generator process can
 * count frames for thousands of sockets. A text frame counts as a delivery when the first bytes of its
 * payload contain one of the `needles` (e.g. `"type":"broadcast"`); only sockets that `capture` keep whole
 * payloads (for latency sampling). Control frames are always kept whole (they are at most 125 bytes).
 */

import { randomBytes } from 'node:crypto';

/** Opcodes the reader distinguishes. */
export const Opcode = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

/** A frame header (RFC 6455 §5.2). */
export interface FrameHeader {
  readonly fin: boolean;
  /** RSV1..3 as a 3-bit number (4 = RSV1: a compressed message). */
  readonly rsv: number;
  readonly opcode: number;
  readonly masked: boolean;
  /** Payload bytes. */
  readonly length: number;
  /** Header bytes (2 to 14). */
  readonly size: number;
}

/** Header bytes of a frame whose second byte is `second` (length encoding and mask bit). */
export function headerSize(second: number): number {
  const len7 = second & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
}

/** The header of the frame at `offset` in `buf`, or null while its bytes have not all arrived. */
export function readFrameHeader(buf: Buffer, offset = 0): FrameHeader | null {
  if (buf.length - offset < 2) return null;
  const first = buf[offset] ?? 0;
  const second = buf[offset + 1] ?? 0;
  const size = headerSize(second);
  if (buf.length - offset < size) return null;
  const len7 = second & 0x7f;
  const length = len7 === 126 ? buf.readUInt16BE(offset + 2) : len7 === 127 ? Number(buf.readBigUInt64BE(offset + 2)) : len7;
  return { fin: (first & 0x80) !== 0, rsv: (first >> 4) & 7, opcode: first & 0x0f, masked: (second & 0x80) !== 0, length, size };
}

/** What {@link encodeFrame} writes. */
export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  /** Default true. */
  fin?: boolean;
  /** RSV1..3 as a 3-bit number (4 = RSV1). Default 0. */
  rsv?: number;
  /** Client frames must be masked; default true. */
  masked?: boolean;
}

/** Encode one frame exactly as specified (any opcode, RSV bits, FIN, masked or not, any length). */
export function encodeFrame(spec: FrameSpec, maskKey: Buffer = randomBytes(4)): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(0));
  const masked = spec.masked ?? true;
  const len = payload.length;
  const ext = len < 126 ? 0 : len <= 0xffff ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (masked ? 4 : 0));
  head[0] = ((spec.fin ?? true) ? 0x80 : 0) | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 0xf);
  head[1] = (masked ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!masked) return Buffer.concat([head, payload]);
  maskKey.copy(head, 2 + ext, 0, 4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (maskKey[i & 3] ?? 0);
  return Buffer.concat([head, body]);
}

/** Bytes of a text payload inspected for the needles. */
export const PREFIX_BYTES = 48;

/** Callbacks of a {@link FrameParser}. */
export interface FrameHandlers {
  /** A text frame matched a needle; `payload` is set only when the parser captures payloads. */
  onDelivery(payload: Buffer | undefined): void;
  /** A control frame (close, ping, pong) with its payload. */
  onControl(opcode: number, payload: Buffer): void;
  /** A text frame matched `readyNeedle` (e.g. the server's greeting). */
  onReady?(): void;
}

/** Options of a {@link FrameParser}. */
export interface FrameParserOptions {
  /** Substrings that mark a delivery in the first {@link PREFIX_BYTES} bytes of a text frame. */
  readonly needles: readonly Buffer[];
  /** Keep whole text payloads and pass them to `onDelivery`. */
  readonly capture: boolean;
  /** Substring of the frame that says the server is ready to deliver (e.g. `"type":"hello"`). */
  readonly readyNeedle?: Buffer;
}

/**
 * Incremental frame reader; feed it every chunk read from the socket, in order. It keeps no reference to a
 * chunk after `push` returns, so callers may reuse one read buffer for every socket.
 */
export class FrameParser {
  /** Every complete frame seen (data and control). */
  frames = 0;
  private readonly header = Buffer.alloc(14);
  private headerLength = 0;
  private remaining = -1; // -1: reading a header
  private opcode = 0;
  private readonly prefix = Buffer.alloc(PREFIX_BYTES);
  private prefixLength = 0;
  private parts: Buffer[] = [];

  constructor(
    private readonly options: FrameParserOptions,
    private readonly handlers: FrameHandlers,
  ) {}

  /** Consume one chunk. */
  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining < 0) {
        offset = this.readHeader(chunk, offset);
      } else {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.consumePayload(chunk.subarray(offset, offset + take));
        this.remaining -= take;
        offset += take;
        if (this.remaining === 0) this.finishFrame();
      }
    }
  }

  /** Copy header bytes; once the header is complete, start the payload. Returns the new offset. */
  private readHeader(chunk: Buffer, offset: number): number {
    while (offset < chunk.length) {
      this.header[this.headerLength++] = chunk[offset++] ?? 0;
      const need = this.headerSize();
      if (need !== null && this.headerLength === need) {
        this.startPayload(need);
        return offset;
      }
    }
    return offset;
  }

  /** Full header size once enough of it is known, else null. */
  private headerSize(): number | null {
    return this.headerLength < 2 ? null : headerSize(this.header[1] ?? 0);
  }

  private startPayload(size: number): void {
    const { masked, opcode, length } = readFrameHeader(this.header.subarray(0, size)) as FrameHeader;
    if (masked) throw new Error('masked frame from server');
    this.opcode = opcode;
    this.headerLength = 0;
    this.prefixLength = 0;
    this.parts = [];
    this.remaining = length;
    if (length === 0) this.finishFrame();
  }

  private consumePayload(slice: Buffer): void {
    // Copy: the reader may reuse its buffer for the next read.
    if (this.opcode >= Opcode.CLOSE || this.options.capture) this.parts.push(Buffer.from(slice));
    if (this.opcode === Opcode.TEXT && this.prefixLength < PREFIX_BYTES) {
      this.prefixLength += slice.copy(this.prefix, this.prefixLength, 0, PREFIX_BYTES - this.prefixLength);
    }
  }

  private finishFrame(): void {
    this.remaining = -1;
    this.frames++;
    const parts = this.parts;
    this.parts = [];
    if (this.opcode >= Opcode.CLOSE) {
      this.handlers.onControl(this.opcode, Buffer.concat(parts));
    } else if (this.opcode === Opcode.TEXT && this.isDelivery()) {
      this.handlers.onDelivery(this.options.capture ? Buffer.concat(parts) : undefined);
    } else if (this.opcode === Opcode.TEXT && this.options.readyNeedle && this.prefixHas(this.options.readyNeedle)) {
      this.handlers.onReady?.();
    }
  }

  private isDelivery(): boolean {
    return this.options.needles.some((needle) => this.prefixHas(needle));
  }

  private prefixHas(needle: Buffer): boolean {
    return this.prefix.subarray(0, this.prefixLength).includes(needle);
  }
}

/** Build a frame a client may send: FIN set, masked with `maskKey` (RFC 6455 requires client masking). */
export function encodeClientFrame(opcode: number, payload: Buffer, maskKey: Buffer): Buffer {
  if (payload.length > 125) throw new RangeError('client frames of the harness carry at most 125 bytes');
  if (maskKey.length !== 4) throw new RangeError('mask key must be 4 bytes');
  return encodeFrame({ opcode, payload }, maskKey);
}

/** The close code in a close frame's payload, or 1005 (no status) when it has none. */
export function closeCodeOf(payload: Buffer): number {
  return payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
}
