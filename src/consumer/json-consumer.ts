/**
 * `JsonConsumer`: a text-only consumer that speaks JSON. A binary frame closes the connection with 1003;
 * text that is not JSON is answered with an error frame `{"type":"error","code":"BAD_JSON",...}` and the
 * connection is kept.
 */
import { ERRORS, TidingsError } from '../errors.js';
import { CloseCode } from '../protocol/close-codes.js';
import { Consumer, type ReceivedData } from './consumer.js';

export class JsonConsumer extends Consumer {
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

  /** Send an error frame for `err`; the connection stays open. */
  sendError(err: TidingsError): void {
    this.sendJson({ type: 'error', ...err.toJSON() });
  }
}
