/**
 * `TestSocket`: a `ws` client whose frames and close can be awaited with timeouts, for tests over the
 * network (`startTestServer`). Frames are parsed as JSON.
 */
import WebSocket from 'ws';

/** A frame from the server, parsed as JSON. */
export type Frame = { type?: string; [key: string]: unknown };

export interface HandshakeRefusal {
  status: number;
  body: string;
}

export class TestSocket {
  readonly ws: WebSocket;
  #frames: Frame[] = [];
  #waiters: Array<() => void> = [];
  #closed: { code: number; reason: string } | null = null;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      let frame: Frame;
      try {
        frame = JSON.parse(text) as Frame;
      } catch {
        frame = { type: '(not json)', text };
      }
      this.#frames.push(frame);
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.#closed = { code, reason: reason.toString() };
      this.#wake();
    });
    ws.on('error', () => {});
  }

  /** Open a socket; rejects with a HandshakeRefusal-shaped error when the server answers HTTP instead. */
  static open(url: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}, timeoutMs = 5000): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {}, handshakeTimeout: timeoutMs });
      const socket = new TestSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => reject(Object.assign(new Error(`handshake refused: ${res.statusCode} ${body}`), { status: res.statusCode ?? 0, body })));
      });
      ws.once('error', (err) => reject(err));
    });
  }

  /** The next frame (JSON), waiting up to `timeoutMs`. Throws if the socket closes first. */
  async nextFrame(timeoutMs = 2000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.#frames.shift();
      if (frame) return frame;
      if (this.#closed) throw new Error(`socket closed (${this.#closed.code}) while waiting for a frame`);
      if (!(await this.#wait(deadline))) throw new Error(`no frame within ${timeoutMs} ms`);
    }
  }

  /** The next frame of the given type, skipping others (e.g. pings). */
  async nextOfType(type: string, timeoutMs = 2000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = await this.nextFrame(Math.max(1, deadline - Date.now()));
      if (frame.type === type) return frame;
    }
  }

  /** Wait for the close; resolves with its code and reason. */
  async closed(timeoutMs = 2000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed) {
      if (!(await this.#wait(deadline))) throw new Error(`socket not closed within ${timeoutMs} ms`);
    }
    return this.#closed;
  }

  /** Frames received and not yet read. */
  get pending(): number {
    return this.#frames.length;
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  close(code = 1000): void {
    this.ws.close(code);
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
