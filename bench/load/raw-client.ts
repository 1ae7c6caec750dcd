/**
 * One WebSocket client on a raw TCP socket: handshake by hand, then frame headers only (see FrameParser).
 * Reads go into one buffer shared by every raw socket of the process (`onread`), so reading costs no
 * allocation and no stream machinery. Answers pings (a server with a heartbeat would otherwise cut it) and
 * records the close code it receives.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { closeCodeOf, encodeClientFrame, FrameParser, Opcode } from './frame-parser.js';
import { newKey, readHandshake, upgradeRequest } from './handshake.js';
import type { ClientOptions } from './protocol.js';

/** Options of {@link connectRawClient}. */
export interface RawClientOptions extends ClientOptions<RawClient> {
  /** Stop reading right after the handshake (a slow consumer); see {@link RawClient.resume}. */
  readonly paused?: boolean;
}

/** The read buffer shared by all raw sockets of this process (reads are handled synchronously). */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/** A raw client. Counters are plain fields, read by the pool. */
export class RawClient {
  deliveries = 0;
  /** Close code received from the server (1005 when none was given); null while open. */
  closeCode: number | null = null;
  /** Whether the TCP connection has ended. */
  ended = false;
  /** Set once the socket exists (right after construction in connectRawClient). */
  socket!: Socket;
  private readonly parser: FrameParser;
  private readonly key = newKey();
  private head: Buffer | null = Buffer.alloc(0);
  private handshake: { resolve: () => void; reject: (err: Error) => void } | null = null;

  constructor(private readonly options: RawClientOptions) {
    this.parser = new FrameParser(options, {
      onDelivery: (payload) => {
        this.deliveries++;
        options.onDelivery?.(this, payload);
      },
      onControl: (opcode, payload) => this.control(opcode, payload),
      onReady: () => this.settle(),
    });
  }

  /** Bytes read plus written on this socket so far, WebSocket and HTTP headers included. */
  get wireBytes(): number {
    return this.socket.bytesRead + this.socket.bytesWritten;
  }

  /** Start reading again (after `paused`). */
  resume(): void {
    this.socket.resume();
  }

  /** Drop the connection now. */
  destroy(): void {
    this.socket.destroy();
  }

  /** Handle one read; returning false pauses the socket (slow consumer). */
  onRead(chunk: Buffer): boolean {
    if (this.head === null) {
      try {
        this.parser.push(chunk);
      } catch {
        this.socket.destroy();
      }
      return true;
    }
    return this.readHead(chunk);
  }

  /** Wait for the handshake outcome. */
  opened(): Promise<void> {
    return new Promise((resolve, reject) => (this.handshake = { resolve, reject }));
  }

  /** The connection is ready: resolve {@link opened}. */
  private settle(): void {
    this.handshake?.resolve();
    this.handshake = null;
  }

  /** Fail the handshake (timeout, error, early close). */
  fail(error: Error): void {
    this.socket.destroy();
    this.handshake?.reject(error);
    this.handshake = null;
  }

  private readHead(chunk: Buffer): boolean {
    this.head = Buffer.concat([this.head ?? Buffer.alloc(0), chunk]);
    const result = readHandshake(this.head, this.key);
    if (!result.done) return true;
    this.head = null;
    if (!result.ok) {
      this.fail(new Error(result.error));
      return false;
    }
    if (!this.options.readyNeedle) this.settle();
    if (result.rest.length > 0) this.onRead(result.rest);
    return !this.options.paused;
  }

  /** The upgrade request to write once connected. */
  request(): string {
    return upgradeRequest(this.options.host, this.options.port, this.options.path, this.key);
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
export async function connectRawClient(options: RawClientOptions): Promise<RawClient> {
  const client = new RawClient(options);
  const socket = connect({
    host: options.host,
    port: options.port,
    onread: { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => client.onRead(Buffer.from(buf.buffer, buf.byteOffset, n)) },
  });
  client.socket = socket;
  socket.setNoDelay(true);
  const opened = client.opened();
  const timer = setTimeout(() => client.fail(new Error(`handshake timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
  socket.once('connect', () => socket.write(client.request()));
  socket.on('error', (err) => client.fail(err));
  socket.on('close', () => {
    client.ended = true;
    client.fail(new Error('connection closed during handshake'));
  });
  try {
    await opened;
    return client;
  } finally {
    clearTimeout(timer);
  }
}
