/**
 * A deliberately naive WebSocket peer over `net`, for writing frames no real client would send: any
 * opcode, RSV bits, FIN, masked or not, lengths that lie (frames.ts). It reads what the server sends back
 * (unmasked frames), so a test can await the server's close frame and time it. Hostile HTTP handshakes:
 * handshake.ts.
 */
import { EventEmitter, once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameReader, Opcode, type FrameSpec, type ServerFrame } from './frames.js';
import { parseResponseHead, upgradeHead, type ResponseHead } from './handshake.js';

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
  #reader: FrameReader;
  #frames: ServerFrame[] = [];
  #close: CloseResult | null = null;
  readonly #changes = new EventEmitter();

  private constructor(socket: Socket, head: ResponseHead) {
    this.socket = socket;
    this.headers = head.headers;
    this.#reader = new FrameReader(/permessage-deflate/.test(head.headers['sec-websocket-extensions'] ?? ''));
    socket.on('data', (chunk: Buffer) => this.#parse(chunk));
    socket.on('close', () => this.#ended());
    this.#parse(head.rest);
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
    const extra = [
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
        const head = parseResponseHead(buf);
        if (!head) return;
        clearTimeout(timer);
        socket.off('data', onData);
        if (head.status !== 101) return fail(Object.assign(new Error(`handshake refused: ${head.status}`), { status: head.status }));
        resolve(new RawSocket(socket, head));
      };
      socket.on('data', onData);
      socket.on('error', fail);
      socket.on('connect', () => socket.write(upgradeHead({ target: options.target ?? u.pathname + u.search, host: u.host, extra })));
    });
  }

  /** Write frames (concatenated into one write); returns `performance.now()` after the write was queued. */
  send(...frames: FrameSpec[]): number {
    this.socket.write(Buffer.concat(frames.map((f) => encodeFrame(f))));
    return performance.now();
  }

  /** The next data frame from the server (control frames are skipped). */
  async nextFrame(timeoutMs = 2000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#frames.findIndex((f) => f.opcode !== Opcode.PING && f.opcode !== Opcode.PONG && f.opcode !== Opcode.CLOSE);
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

  #parse(chunk: Buffer): void {
    for (const frame of this.#reader.push(chunk)) {
      if (frame.opcode === Opcode.PING) {
        this.pings++;
        if (this.autoPong && !this.#close) this.socket.write(encodeFrame({ opcode: Opcode.PONG, payload: frame.payload }));
      }
      if (frame.opcode === Opcode.CLOSE && !this.#close) {
        const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : null;
        this.#close = { code, reason: frame.payload.subarray(2).toString('utf8'), at: performance.now() };
        this.socket.end();
      }
      this.#frames.push(frame);
      this.#wake();
    }
  }

  #ended(): void {
    this.#close ??= { code: null, reason: '', at: performance.now() };
    this.#wake();
  }

  #wake(): void {
    this.#changes.emit('change');
  }

  /** Whether something arrived (a frame, the close) before `deadline`. */
  #wait(deadline: number): Promise<boolean> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return Promise.resolve(false);
    return once(this.#changes, 'change', { signal: AbortSignal.timeout(remaining) }).then(
      () => true,
      () => false,
    );
  }
}
