/**
 * `MeteredWsTransport`: a {@link WsTransport} that counts the messages it sends and receives in plain numbers
 * (no prom-client call per message); the server folds them into `tidings_frames_*_total` at scrape time.
 */
import type { WebSocket } from 'ws';
import { WsTransport, type PreparedText, type TransportHandlers, type WsTransportOptions } from '../transport/index.js';

/** Messages received from and sent to clients, cumulative, shared by every socket of a server. */
export interface FrameCounts {
  in: number;
  out: number;
}

export class MeteredWsTransport extends WsTransport {
  readonly #counts: FrameCounts;

  constructor(ws: WebSocket, options: WsTransportOptions, counts: FrameCounts) {
    super(ws, options);
    this.#counts = counts;
  }

  override sendText(text: string | PreparedText): void {
    if (this.isOpen) this.#counts.out++;
    super.sendText(text);
  }

  override sendBinary(data: Uint8Array): void {
    if (this.isOpen) this.#counts.out++;
    super.sendBinary(data);
  }

  override setHandlers(handlers: TransportHandlers): void {
    const counts = this.#counts;
    super.setHandlers({
      message: (data, isBinary) => {
        counts.in++;
        handlers.message(data, isBinary);
      },
      close: (code, reason) => handlers.close(code, reason),
    });
  }
}
