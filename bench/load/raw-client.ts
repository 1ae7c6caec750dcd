/**
 * One WebSocket client on a raw TCP socket: handshake by hand, then frame headers only (see FrameParser).
 * Answers pings (a server with a heartbeat would otherwise cut it) and records the close code it receives.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { closeCodeOf, encodeClientFrame, FrameParser, Opcode } from './frame-parser.js';
import { newKey, readHandshake, upgradeRequest } from './handshake.js';

/** Options of {@link connectRawClient}. */
export interface RawClientOptions {
  readonly host: string;
  readonly port: number;
  /** Request path with query, e.g. `/inform/?token=…`. */
  readonly path: string;
  /** Local loopback address to bind (spreads ephemeral ports); default: let the kernel pick. */
  readonly localAddress?: string;
  readonly needles: readonly Buffer[];
  /** Keep whole payloads of deliveries (for latency). */
  readonly capture: boolean;
  /** Stop reading right after the handshake (a slow consumer). Default false. */
  readonly paused?: boolean;
  /** Milliseconds allowed for connect + handshake. */
  readonly timeoutMs: number;
  /** Called for every delivery; `payload` only when capturing. */
  readonly onDelivery?: (client: RawClient, payload: Buffer | undefined) => void;
}

/** A connected raw client. Counters are plain fields, read by the pool. */
export class RawClient {
  deliveries = 0;
  /** Close code received from the server (1005 when none was given); null while open. */
  closeCode: number | null = null;
  /** Whether the TCP connection has ended. */
  ended = false;
  readonly parser: FrameParser;

  constructor(
    readonly socket: Socket,
    private readonly options: RawClientOptions,
  ) {
    this.parser = new FrameParser(options, {
      onDelivery: (payload) => {
        this.deliveries++;
        options.onDelivery?.(this, payload);
      },
      onControl: (opcode, payload) => this.control(opcode, payload),
    });
  }

  /** Bytes read plus written on this socket so far, WebSocket and HTTP headers included. */
  get wireBytes(): number {
    return this.socket.bytesRead + this.socket.bytesWritten;
  }

  /** Feed bytes to the parser; a protocol error ends the connection. */
  receive(chunk: Buffer): void {
    try {
      this.parser.push(chunk);
    } catch {
      this.socket.destroy();
    }
  }

  /** Start reading again (after `paused`). */
  resume(): void {
    this.socket.resume();
  }

  /** Drop the connection now. */
  destroy(): void {
    this.socket.destroy();
  }

  private control(opcode: number, payload: Buffer): void {
    if (opcode === Opcode.PING && !this.socket.destroyed) {
      this.socket.write(encodeClientFrame(Opcode.PONG, payload, randomBytes(4)));
    } else if (opcode === Opcode.CLOSE) {
      this.closeCode = closeCodeOf(payload);
      if (!this.socket.destroyed) this.socket.end(encodeClientFrame(Opcode.CLOSE, payload.subarray(0, 2), randomBytes(4)));
    }
  }
}

/** Connect, handshake and return the client; rejects with the reason (HTTP status, timeout, refused). */
export function connectRawClient(options: RawClientOptions): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const key = newKey();
    const socket = connect({ host: options.host, port: options.port, localAddress: options.localAddress });
    socket.setNoDelay(true);
    const client = new RawClient(socket, options);
    let head: Buffer = Buffer.alloc(0);
    const fail = (error: string): void => {
      socket.destroy();
      reject(new Error(error));
    };
    const timer = setTimeout(() => fail(`handshake timed out after ${options.timeoutMs} ms`), options.timeoutMs);
    const onHandshakeData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const result = readHandshake(head, key);
      if (!result.done) return;
      clearTimeout(timer);
      socket.off('data', onHandshakeData);
      if (!result.ok) return fail(result.error);
      socket.on('data', (data: Buffer) => client.receive(data));
      if (options.paused) socket.pause();
      if (result.rest.length > 0) client.receive(result.rest);
      resolve(client);
    };
    socket.on('data', onHandshakeData);
    socket.once('connect', () => socket.write(upgradeRequest(options.host, options.port, options.path, key)));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      client.ended = true;
      clearTimeout(timer);
      reject(new Error('connection closed during handshake'));
    });
  });
}
