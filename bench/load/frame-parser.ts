/**
 * A WebSocket frame reader that looks at frame headers only (RFC 6455 §5.2), so one generator process can
 * count frames for thousands of sockets. A text frame counts as a delivery when the first bytes of its
 * payload contain one of the `needles` (e.g. `"type":"broadcast"`); only sockets that `capture` keep whole
 * payloads (for latency sampling). Control frames are always kept whole (they are at most 125 bytes).
 */

/** Opcodes the reader distinguishes. */
export const Opcode = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

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
    if (this.headerLength < 2) return null;
    const second = this.header[1] ?? 0;
    const len7 = second & 0x7f;
    const extended = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    return 2 + extended + (second & 0x80 ? 4 : 0);
  }

  private startPayload(size: number): void {
    const second = this.header[1] ?? 0;
    const len7 = second & 0x7f;
    let length = len7;
    if (len7 === 126) length = this.header.readUInt16BE(2);
    else if (len7 === 127) length = Number(this.header.readBigUInt64BE(2));
    if (size > 2 && second & 0x80) throw new Error('masked frame from server');
    this.opcode = (this.header[0] ?? 0) & 0x0f;
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

/** Build a frame a client may send: FIN set, masked with a random key (RFC 6455 requires client masking). */
export function encodeClientFrame(opcode: number, payload: Buffer, maskKey: Buffer): Buffer {
  if (payload.length > 125) throw new RangeError('client frames of the harness carry at most 125 bytes');
  if (maskKey.length !== 4) throw new RangeError('mask key must be 4 bytes');
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  maskKey.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = (payload[i] ?? 0) ^ (maskKey[i % 4] ?? 0);
  return frame;
}

/** The close code in a close frame's payload, or 1005 (no status) when it has none. */
export function closeCodeOf(payload: Buffer): number {
  return payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
}
