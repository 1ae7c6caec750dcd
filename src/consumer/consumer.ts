/**
 * `Consumer`: one instance per connection, in the model of Channels' AsyncWebsocketConsumer.
 * Lifecycle: the consumer joins its `groups`, then `connect()` runs and should `accept()` (or `close()`, which
 * refuses the handshake with 403); each message from the client calls `receive()`; each channel-layer event is
 * dispatched to `handlers[event.type]`; when the connection ends, `disconnect(code)` runs and the groups are
 * left. Client messages and layer events are processed one at a time, in arrival order.
 *
 * An event with no handler is logged and dropped (old and new servers coexist in a rolling deploy).
 * An exception in any of these closes that connection with 4000 (reconnect) and is logged; the server
 * keeps serving everyone else.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isTidingsError } from '../errors.js';
import { CloseCode } from '../protocol/close-codes.js';
import { DROPPED_TYPE, type ChannelLayer, type DroppedNotice, type LayerMessage } from '../layer/index.js';
import type { Logger } from '../log/index.js';
import type { PreparedText, Transport, TransportHandlers } from '../transport/index.js';
import type { Handshake, Scope, SocketApp } from './app.js';

/** A handler for one channel-layer event type. `this` is the consumer. */
export type EventHandler<C = Consumer, E extends LayerMessage = LayerMessage> = (this: C, event: E) => void | Promise<void>;
/** Typed map of handlers keyed by event `type` (e.g. `web_update_inform`). */
export type EventHandlers<C = Consumer> = Readonly<Record<string, EventHandler<C, never>>>;

/** A message from the client: `text` for text frames, `bytes` for binary frames. */
export type ReceivedData = { text: string; bytes?: undefined } | { bytes: Buffer; text?: undefined };

/**
 * Most tasks one connection may queue behind a slow handler. A layer event beyond it is dropped and the
 * consumer gets a {@link DroppedNotice} once the queue has drained; a client message beyond it (or beyond
 * {@link MAX_PENDING_BYTES}) closes the connection with 4029: the client sent more than the server could
 * take in, and nothing it sent is silently ignored.
 */
const MAX_PENDING = 1000;
/** Most bytes of client messages one connection may queue (while `connect()` or a slow handler runs). */
const MAX_PENDING_BYTES = 1024 * 1024;
const NO_HANDLERS: EventHandlers<never> = Object.freeze({});
type Task = () => void | Promise<void>;

/** Headers of an accepted connection: dropped, to keep idle sockets small (one shared empty object). */
const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});

// Set in Consumer's static block: how a ConsumerPort reaches its consumer's private methods.
let portMessage: (consumer: Consumer, data: string | Buffer, isBinary: boolean) => void;
let portClose: (consumer: Consumer, code: number) => void;

/** A consumer class, as routers and `asApp` see it. */
export interface ConsumerClass<C extends Consumer = Consumer> {
  new (scope: Scope, handshake: Handshake): C;
}

export class Consumer {
  /** Groups joined before `connect()` and left on disconnect. Override as a field or set in the constructor. */
  groups: readonly string[] = [];
  /** Channel-layer event handlers keyed by event type. */
  handlers: EventHandlers<this> = NO_HANDLERS as EventHandlers<this>;
  /** This connection's unique channel name (valid once started). */
  channelName = '';
  readonly scope: Scope;
  readonly layer: ChannelLayer;
  #handshake: Handshake;
  #transport: Transport | null = null;
  #unreceive: (() => void) | null = null;
  /** What waits behind a pending step; allocated on first use (an idle connection holds none). */
  #queue: Pending | null = null;
  #busy = true;
  #ended = false;

  static {
    portMessage = (consumer, data, isBinary) => consumer.#message(data, isBinary);
    portClose = (consumer, code) => consumer.#onClose(code);
  }

  constructor(scope: Scope, handshake: Handshake) {
    this.scope = scope;
    this.layer = handshake.layer;
    this.#handshake = handshake;
  }

  /** A SocketApp that runs a new instance of this consumer class for each connection. */
  static asApp<C extends Consumer>(this: ConsumerClass<C>): SocketApp {
    return (scope, handshake) => new this(scope, handshake).run();
  }

  /** Logger bound to this connection. */
  get log(): Logger {
    return this.#handshake.log;
  }

  /** Whether the handshake was accepted (the connection may have closed since). */
  get accepted(): boolean {
    return this.#transport !== null;
  }

  /** Whether the handshake was accepted and the connection is still open. */
  get isOpen(): boolean {
    return this.#transport !== null && this.#transport.isOpen;
  }

  /** Called once the groups are joined. The default accepts. */
  connect(): void | Promise<void> {
    this.accept();
  }

  /** Called for each message from the client. The default ignores it. */
  receive(_data: ReceivedData): void | Promise<void> {}

  /** Called once when the connection ends, with the close code. */
  disconnect(_code: number): void | Promise<void> {}

  /** Accept the handshake (once). */
  accept(subprotocol?: string): void {
    if (this.#transport || this.#ended) return;
    const transport = this.#handshake.accept(subprotocol);
    this.#transport = transport;
    this.scope.headers = NO_HEADERS;
    transport.setHandlers(new ConsumerPort(this));
  }

  /** Close the connection with `code`; before accept, refuse the handshake with HTTP 403. */
  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.#transport) this.#transport.close(code, reason);
    else if (!this.#handshake.settled) this.#handshake.reject('FORBIDDEN', reason || undefined);
  }

  /** Send a text message (a string, or a PreparedText shared by many recipients) or binary data. */
  send(data: string | PreparedText | Uint8Array): void {
    const t = this.#transport;
    if (!t) return;
    if (data instanceof Uint8Array) t.sendBinary(data);
    else t.sendText(data);
  }

  /** Run `task` in order with client messages and layer events (after whatever is queued). */
  protected schedule(task: Task): void {
    if (this.#ended) return;
    if (this.#busy) (this.#queue ??= new Pending()).tasks.push(task);
    else this.#exec(task);
  }

  /** The transport, once accepted (for subclasses that need its state). */
  protected get transport(): Transport | null {
    return this.#transport;
  }

  /** Runs the lifecycle; resolves once `connect()` has finished. Called by `asApp`. */
  async run(): Promise<void> {
    const layer = this.layer;
    this.channelName = layer.newChannel();
    this.#unreceive = layer.receive(this.channelName, (event) => this.#event(event));
    try {
      await Promise.all(this.groups.map((g) => layer.groupAdd(g, this.channelName)));
      await this.connect();
    } catch (err) {
      this.#fail(err);
    }
    if (!this.#transport) {
      if (!this.#handshake.settled) this.#handshake.reject('FORBIDDEN', 'connection not accepted');
      this.#cleanup();
      return;
    }
    this.#next();
  }

  #receive(data: string | Buffer, isBinary: boolean): void | Promise<void> {
    return isBinary ? this.receive({ bytes: data as Buffer }) : this.receive({ text: data as string });
  }

  /** A client message: handled at once when idle, else queued within the count and byte limits. */
  #message(data: string | Buffer, isBinary: boolean): void {
    if (this.#ended) return;
    if (!this.#busy) return this.#exec(() => this.#receive(data, isBinary));
    const size = data.length;
    const queue = (this.#queue ??= new Pending());
    if (queue.tasks.length >= MAX_PENDING || queue.bytes + size > MAX_PENDING_BYTES) {
      this.log.info({ queued: queue.tasks.length, bytes: queue.bytes }, 'client sent more than the consumer can queue');
      this.close(CloseCode.RATE_LIMITED, 'too many messages');
      return;
    }
    queue.bytes += size;
    queue.tasks.push(() => {
      queue.bytes -= size;
      return this.#receive(data, isBinary);
    });
  }

  #dispatch(event: LayerMessage): void | Promise<void> {
    const handler = this.handlers[event.type] as EventHandler<this> | undefined;
    if (handler) return handler.call(this, event);
    if (event.type === DROPPED_TYPE) this.log.warn({ count: event.count }, 'layer events dropped for this connection');
    else this.log.debug({ type: event.type }, 'no handler for event');
  }

  /**
   * A layer event: dispatched at once when the consumer is idle (no task closure per event), else queued;
   * beyond the queue's limit it is dropped and reported by a DroppedNotice when the queue has drained.
   */
  #event(event: LayerMessage): void {
    if (this.#ended) return;
    if (this.#busy) {
      const queue = (this.#queue ??= new Pending());
      if (queue.tasks.length < MAX_PENDING) queue.tasks.push(() => this.#dispatch(event));
      else if (queue.lost++ === 0) this.log.warn({ channel: this.channelName }, 'consumer queue full, events dropped');
      return;
    }
    let result: void | Promise<void>;
    try {
      result = this.#dispatch(event);
    } catch (err) {
      this.#fail(err);
      return;
    }
    this.#await(result);
  }

  #exec(task: Task): void {
    let result: void | Promise<void>;
    try {
      result = task();
    } catch (err) {
      this.#fail(err);
      return;
    }
    this.#await(result);
  }

  /** A task that returned a promise makes the consumer busy until it settles. */
  #await(result: void | Promise<void>): void {
    if (result && typeof result.then === 'function') {
      this.#busy = true;
      result.then(
        () => this.#next(),
        (err: unknown) => {
          this.#fail(err);
          this.#next();
        },
      );
    }
  }

  #next(): void {
    this.#busy = false;
    const queue = this.#queue;
    if (!queue) return;
    while (queue.tasks.length > 0 && !this.#busy && !this.#ended) this.#exec(queue.tasks.shift() as Task);
    if (queue.lost > 0 && !this.#busy && !this.#ended) {
      const notice: DroppedNotice = { type: DROPPED_TYPE, count: queue.lost };
      queue.lost = 0;
      this.#exec(() => this.#dispatch(notice));
    }
  }

  #fail(err: unknown): void {
    // A TidingsError below 500 (e.g. an upgrade ws refused) is the client's doing: logged at info, not error.
    if (isTidingsError(err) && err.status < 500) this.log.info({ err, code: err.code }, 'consumer refused the client');
    else this.log.error({ err }, 'consumer error');
    if (this.#transport) this.#transport.close(CloseCode.CONSUMER_ERROR, 'consumer error');
    else if (!this.#handshake.settled) this.#handshake.reject('CONSUMER_ERROR');
  }

  #onClose(code: number): void {
    this.#cleanup();
    this.#queue = null;
    this.#busy = false;
    Promise.resolve()
      .then(() => this.disconnect(code))
      .catch((err: unknown) => this.log.error({ err }, 'consumer disconnect failed'));
    this.#ended = true;
  }

  #cleanup(): void {
    this.#unreceive?.();
    this.#unreceive = null;
    for (const g of this.groups) {
      this.layer.groupDiscard(g, this.channelName).catch((err: unknown) => this.log.warn({ err, group: g }, 'group discard failed'));
    }
  }
}

/** Tasks waiting behind a pending step, the bytes of client messages among them, and events dropped. */
class Pending {
  readonly tasks: Task[] = [];
  bytes = 0;
  /** Layer events dropped for a full queue, reported by one DroppedNotice once it drains. */
  lost = 0;
}

/** A transport's handlers for one consumer: one small object per connection instead of two closures. */
class ConsumerPort implements TransportHandlers {
  constructor(readonly consumer: Consumer) {}

  message(data: string | Buffer, isBinary: boolean): void {
    portMessage(this.consumer, data, isBinary);
  }

  close(code: number): void {
    portClose(this.consumer, code);
  }
}
