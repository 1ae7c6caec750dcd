/**
 * `JsonConsumer`: a text-only consumer that speaks JSON. A binary frame closes the connection with 1003;
 * text that is not JSON is answered with an error frame `{"type":"error","code":"BAD_JSON",...}` and the
 * connection is kept.
 */
import { ERRORS, TidingsError } from '../errors.js';
import { CloseCode } from '../protocol/close-codes.js';
import { Consumer, type ReceivedData } from './consumer.js';

/** Unusable frames (error frames sent) allowed per window before the connection is closed with 4500. */
const MAX_BAD_FRAMES = 10;
const BAD_FRAME_WINDOW_MS = 10_000;

export class JsonConsumer extends Consumer {
  #badFrames = 0;
  #badWindowStart = 0;

  override receive(data: ReceivedData): void | Promise<void> {
    if (data.bytes !== undefined) {
      this.close(CloseCode.UNSUPPORTED_DATA, ERRORS.UNSUPPORTED_DATA.message);
      return;
    }
    let content: unknown;
    try {
      content = JSON.parse(data.text);
    } catch {
      this.sendError(new TidingsError('BAD_JSON'));
      return;
    }
    return this.receiveJson(content);
  }

  /** Called with each parsed JSON message from the client. The default ignores it. */
  receiveJson(_content: unknown): void | Promise<void> {}

  /** Send a value as a JSON text frame. */
  sendJson(value: unknown): void {
    this.send(JSON.stringify(value));
  }

  /**
   * Send an error frame for `err`; the connection stays open. A client that keeps sending unusable frames
   * (more than 10 within 10 s) is closed with 4500 (do not reconnect).
   */
  sendError(err: TidingsError): void {
    this.sendJson({ type: 'error', ...err.toJSON() });
    const now = Date.now();
    if (now - this.#badWindowStart > BAD_FRAME_WINDOW_MS) {
      this.#badWindowStart = now;
      this.#badFrames = 0;
    }
    if (++this.#badFrames > MAX_BAD_FRAMES) this.close(CloseCode.BAD_FRAME, ERRORS.BAD_FRAME.message);
  }
}
