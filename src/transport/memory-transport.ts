/**
 * `MemoryTransport`: a connection with no network, for the test communicator. What the server side sends
 * is queued as {@link OutputEvent}s for the test to read; what the test sends is handed to the handlers.
 */
import type { PreparedText, Transport, TransportHandlers } from './types.js';

/** Something the application did to the connection, as the test sees it. */
export type OutputEvent =
  | { type: 'text'; text: string }
  | { type: 'binary'; data: Buffer }
  | { type: 'close'; code: number; reason: string };

export class MemoryTransport implements Transport {
  readonly bufferedAmount = 0;
  /** Kept for the interface; a memory transport has no heartbeat. */
  appPing: PreparedText | null = null;
  /** Nothing is ever unsent in memory. */
  readonly backlogged = false;

  drained(): Promise<void> {
    return Promise.resolve();
  }

  #handlers: TransportHandlers | null = null;
  #held: Array<[string | Buffer, boolean]> = [];
  #closedByApp = false;
  #ended = false;
  #output: (event: OutputEvent) => void;

  /** @param output receives everything the application sends. */
  constructor(output: (event: OutputEvent) => void, readonly remoteAddress = '127.0.0.1') {
    this.#output = output;
  }

  get isOpen(): boolean {
    return !this.#closedByApp && !this.#ended;
  }

  setHandlers(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    const held = this.#held;
    this.#held = [];
    for (const [data, isBinary] of held) handlers.message(data, isBinary);
  }

  sendText(text: string | PreparedText): void {
    if (this.isOpen) this.#output({ type: 'text', text: typeof text === 'string' ? text : text.text });
  }

  sendBinary(data: Uint8Array): void {
    if (this.isOpen) this.#output({ type: 'binary', data: Buffer.from(data) });
  }

  /** The application closes: the test sees a close event, then the connection ends. */
  close(code = 1000, reason = ''): void {
    if (!this.isOpen) return;
    this.#closedByApp = true;
    this.#output({ type: 'close', code, reason });
    this.#end(code, reason);
  }

  /** The test (the "client") sends a message. */
  deliver(data: string | Buffer, isBinary: boolean): void {
    if (this.#ended) return;
    if (this.#handlers) this.#handlers.message(data, isBinary);
    else this.#held.push([data, isBinary]);
  }

  /** The test (the "client") closes the connection. */
  disconnect(code = 1000, reason = ''): void {
    this.#end(code, reason);
  }

  #end(code: number, reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#handlers?.close(code, reason);
  }
}
