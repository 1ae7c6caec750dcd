/**
 * A deliberately naive WebSocket peer over `net`, for writing frames no real client would send: any
 * opcode, RSV bits, FIN, masked or not, lengths that lie. It parses what the server sends back (unmasked
 * frames), so a test can await the server's close frame and time it. Hostile HTTP handshakes: raw-http.ts.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { constants, inflateRawSync } from 'node:zlib';
import { parseHead, type HttpHead } from './raw-http.js';

export const Op = { CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

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

/** Encode one frame exactly as specified. */
export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(0));
  const masked = spec.masked ?? true;
  const len = payload.length;
  const ext = len < 126 ? 0 : len <= 0xffff ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (masked ? 4 : 0));
  head[0] = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) & 7) << 4 | (spec.opcode & 0xf);
  head[1] = (masked ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!masked) return Buffer.concat([head, payload]);
  const mask = randomBytes(4);
  mask.copy(head, 2 + ext);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (mask[i & 3] as number);
  return Buffer.concat([head, body]);
}

/** The payload of a close frame: a 2-byte code and a reason. */
export function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code);
  return Buffer.concat([head, typeof reason === 'string' ? Buffer.from(reason) : reason]);
}

export interface ServerFrame {
  opcode: number;
  fin: boolean;
  payload: Buffer;
}

export interface CloseResult {
  /** Code of the server's close frame; null if the TCP connection ended without one. */
  code: number | null;
  reason: string;
  /** `performance.now()` when the close frame (or the end) arrived. */
  at: number;
}

/** A raw WebSocket connection after a successful (101) handshake. */
export class RawSocket {
  /** Answer the server's pings with pongs (off by default: a raw peer answers nothing unless told). */
  autoPong = false;
  /** Protocol pings received from the server. */
  pings = 0;
  readonly socket: Socket;
  readonly headers: Record<string, string>;
  #buf: Buffer;
  #inflate: boolean;
  #frames: ServerFrame[] = [];
  #close: CloseResult | null = null;
  #waiters: Array<() => void> = [];

  private constructor(socket: Socket, head: HttpHead) {
    this.socket = socket;
    this.headers = head.headers;
    this.#buf = head.rest;
    this.#inflate = /permessage-deflate/.test(head.headers['sec-websocket-extensions'] ?? '');
    socket.on('data', (chunk: Buffer) => {
      this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
      this.#parse();
    });
    socket.on('close', () => this.#ended());
    this.#parse();
  }

  /**
   * Open a connection to a `ws://` URL. `extensions` is sent as Sec-WebSocket-Extensions; when the server
   * accepts permessage-deflate, offer `server_no_context_takeover` too, so that each compressed message
   * from the server inflates on its own. `target` replaces the request target written (a path that
   * `new URL` would normalise, like `/inform/../inform/`). Rejects with the status when the server does not
   * answer 101.
   */
  static open(url: string, options: { headers?: Record<string, string>; extensions?: string; timeoutMs?: number; target?: string } = {}): Promise<RawSocket> {
    const u = new URL(url);
    const lines = [
      `GET ${options.target ?? u.pathname + u.search} HTTP/1.1`,
      `Host: ${u.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...(options.extensions ? [`Sec-WebSocket-Extensions: ${options.extensions}`] : []),
      ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    ];
    return new Promise((resolve, reject) => {
      const socket = connect(Number(u.port), u.hostname);
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => fail(new Error('handshake timed out')), options.timeoutMs ?? 5000);
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const onData = (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        const head = parseHead(buf);
        if (!head) return;
        clearTimeout(timer);
        socket.off('data', onData);
        if (head.status !== 101) return fail(Object.assign(new Error(`handshake refused: ${head.status}`), { status: head.status }));
        resolve(new RawSocket(socket, head));
      };
      socket.on('data', onData);
      socket.on('error', fail);
      socket.on('connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    });
  }

  /** Write frames (concatenated into one write); returns `performance.now()` after the write was queued. */
  send(...frames: FrameSpec[]): number {
    this.socket.write(Buffer.concat(frames.map(encodeFrame)));
    return performance.now();
  }

  /** The next data frame from the server (control frames are skipped). */
  async nextFrame(timeoutMs = 2000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#frames.findIndex((f) => f.opcode !== Op.PING && f.opcode !== Op.PONG && f.opcode !== Op.CLOSE);
      if (i >= 0) return this.#frames.splice(i, 1)[0] as ServerFrame;
      if (this.#close) throw new Error(`closed (${this.#close.code}) while waiting for a frame`);
      if (!(await this.#wait(deadline))) throw new Error(`no frame within ${timeoutMs} ms`);
    }
  }

  /** The next data frame parsed as JSON. */
  async nextJson(timeoutMs = 2000): Promise<{ type?: string; [k: string]: unknown }> {
    return JSON.parse((await this.nextFrame(timeoutMs)).payload.toString('utf8')) as { type?: string };
  }

  /** The server's close frame (or the end of the connection), waiting up to `timeoutMs`. */
  async closed(timeoutMs = 2000): Promise<CloseResult> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#close) {
      if (!(await this.#wait(deadline))) throw new Error(`no close within ${timeoutMs} ms`);
    }
    return this.#close;
  }

  /** Whether the server has closed (frame or TCP end). */
  get isClosed(): boolean {
    return this.#close !== null;
  }

  destroy(): void {
    this.socket.destroy();
  }

  #parse(): void {
    for (;;) {
      const frame = this.#take();
      if (!frame) return;
      if (frame.opcode === Op.PING) {
        this.pings++;
        if (this.autoPong && !this.#close) this.socket.write(encodeFrame({ opcode: Op.PONG, payload: frame.payload }));
      }
      if (frame.opcode === Op.CLOSE && !this.#close) {
        const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : null;
        this.#close = { code, reason: frame.payload.subarray(2).toString('utf8'), at: performance.now() };
        this.socket.end();
      }
      this.#frames.push(frame);
      this.#wake();
    }
  }

  #take(): ServerFrame | null {
    const b = this.#buf;
    if (b.length < 2) return null;
    let len = (b[1] as number) & 0x7f;
    let off = 2;
    if (len === 126) {
      if (b.length < 4) return null;
      len = b.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (b.length < 10) return null;
      len = Number(b.readBigUInt64BE(2));
      off = 10;
    }
    if (b.length < off + len) return null;
    this.#buf = b.subarray(off + len);
    let payload = b.subarray(off, off + len);
    if (this.#inflate && ((b[0] as number) & 0x40) !== 0) {
      payload = inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: constants.Z_SYNC_FLUSH });
    }
    return { opcode: (b[0] as number) & 0xf, fin: ((b[0] as number) & 0x80) !== 0, payload };
  }

  #ended(): void {
    this.#close ??= { code: null, reason: '', at: performance.now() };
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #wait(deadline: number): Promise<boolean> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), remaining);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
