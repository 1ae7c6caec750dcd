/**
 * The same client as RawClient, but through the `ws` package (full parsing, like a real application).
 * Slower per frame; used to cross-check the raw mode and where a "real client" matters.
 */
import WebSocket from 'ws';
import { PREFIX_BYTES } from './frame-parser.js';
import type { ClientOptions } from './protocol.js';

/** Options of {@link connectWsClient}. */
export type WsClientOptions = ClientOptions<WsClient>;

/** A connected `ws` client with the counters of RawClient. */
export class WsClient {
  deliveries = 0;
  closeCode: number | null = null;
  ended = false;

  constructor(readonly socket: WebSocket) {}

  /** Bytes read plus written on the underlying TCP socket. */
  get wireBytes(): number {
    const raw = (this.socket as unknown as { _socket?: { bytesRead: number; bytesWritten: number } })._socket;
    return raw ? raw.bytesRead + raw.bytesWritten : 0;
  }

  /** Drop the connection now. */
  destroy(): void {
    this.socket.terminate();
  }
}

function isDelivery(data: Buffer, needles: readonly Buffer[]): boolean {
  const prefix = data.subarray(0, PREFIX_BYTES);
  return needles.some((needle) => prefix.includes(needle));
}

/** Connect with the `ws` package; resolves once open. */
export function connectWsClient(options: WsClientOptions): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const url = `ws://${options.host}:${options.port}${options.path}`;
    const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: options.timeoutMs });
    const client = new WsClient(socket);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary && options.readyNeedle && data.subarray(0, PREFIX_BYTES).includes(options.readyNeedle)) resolve(client);
      if (isBinary || !isDelivery(data, options.needles)) return;
      client.deliveries++;
      options.onDelivery?.(client, options.capture ? data : undefined);
    });
    socket.once('open', () => {
      if (!options.readyNeedle) resolve(client);
    });
    socket.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode ?? '???'}`));
      socket.terminate();
    });
    socket.on('error', reject);
    socket.on('close', (code) => {
      client.closeCode = code;
      client.ended = true;
      reject(new Error('connection closed during handshake'));
    });
  });
}
