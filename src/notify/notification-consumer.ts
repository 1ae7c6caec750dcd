/**
 * The built-in endpoint `/inform/`: an authenticated connection joins the site-wide group and its own
 * personal group (derived from the authenticated user id only), receives `hello`, then a replay of what it
 * missed (`?since=` or a `resume` frame), then live frames, each notification once and in seq order.
 *
 * Ordering: groups are joined before `connect()` and live events queue behind it (the consumer processes
 * one thing at a time), so a notification committed during the replay is either in the replay or arrives
 * live afterwards. A {@link StreamCursor} drops the copy that arrives twice, fills a gap from the inbox when
 * events arrive out of order (several publishing processes) or were dropped by the layer, and keeps a late
 * unread count from overwriting a newer one.
 */
import { TidingsError } from '../errors.js';
import { CloseCode } from '../protocol/close-codes.js';
import { ClientFrame, type HelloFrame, type UnreadFrame } from '../protocol/frames.js';
import { JsonConsumer, type EventHandlers, type Handshake, type Scope } from '../consumer/index.js';
import { DROPPED_TYPE } from '../layer/index.js';
import type { CatchUpEvent } from './catch-up.js';
import { prepareText, type PreparedText, type Transport } from '../transport/index.js';
import { SITE_GROUP, preparedFor, userGroup, type BroadcastEvent, type NotificationEvent, type UnreadEvent } from './events.js';
import type { ConnectionObserver } from './observer.js';
import { INFORM_PROTOCOL } from '../protocol/subprotocol.js';
import { StreamCursor, type CountVersion } from './stream-cursor.js';
import { fillGap, replay, type ReplayTarget } from './replay.js';
import { applyReadState } from './read-state.js';
import { Retry } from './retry.js';
import type { NotificationDeps } from './notification-deps.js';

/** `#reach` bits of a connection. */
const OBSERVED = 1;
const HIDDEN = 2;
const SLOT = 4;

const PING: PreparedText = prepareText('{"type":"ping"}');
const PONG: PreparedText = prepareText('{"type":"pong"}');

const HANDLERS: EventHandlers<NotificationConsumer> = {
  'tidings.notification'(this: NotificationConsumer, event: NotificationEvent) {
    return this.deliver(event);
  },
  'tidings.broadcast'(this: NotificationConsumer, event: BroadcastEvent) {
    this.send(preparedFor(event));
  },
  'tidings.catchup'(this: NotificationConsumer, event: CatchUpEvent) {
    if (event.user === undefined || event.user === this.scope.user?.id) return this.catchUp();
  },
  'tidings.unread'(this: NotificationConsumer, event: UnreadEvent) {
    this.showUnread(event);
  },
  // Events for this connection were dropped (a full channel or queue): what they carried is in the inbox.
  [DROPPED_TYPE](this: NotificationConsumer) {
    return this.catchUp();
  },
};

export class NotificationConsumer extends JsonConsumer {
  override handlers = HANDLERS as EventHandlers<this>;
  /** What this connection has delivered of its user's stream (null for anonymous connections). */
  cursor: StreamCursor | null = null;
  #deps: NotificationDeps;
  /** Live notifications are held back while the socket is backlogged; a catch-up follows once it drains. */
  #behind = false;
  #tokens: number;
  // 0: never refilled, so the bucket counts as full (and an idle socket holds a small integer, not a double).
  #refilledAt = 0;
  /** Bits: OBSERVED (observer told `opened`), HIDDEN (page hidden), SLOT (holds its user's connection slot). */
  #reach = 0;
  /** A catch-up the inbox refused, waiting to be tried again (allocated only then). */
  #retry: Retry | undefined;

  constructor(scope: Scope, handshake: Handshake, deps: NotificationDeps) {
    super(scope, handshake);
    this.#deps = deps;
    this.#tokens = deps.settings.messageRate * 2;
    const user = scope.user;
    this.groups = user ? [SITE_GROUP, userGroup(user.id)] : [SITE_GROUP];
    if (user && deps.slots) this.#reach |= SLOT; // the app took it before the connection started
  }

  /** Highest seq sent on this connection (the user's seq at hello until something is sent). */
  get lastSeq(): number {
    return this.cursor?.lastSeq ?? 0;
  }

  /** The authenticated user's id ('' for an anonymous connection), for observers. */
  get userId(): string {
    return this.scope.user?.id ?? '';
  }

  /** Whether the page is visible (see the `visibility` frame); a connection starts visible. */
  get visible(): boolean {
    return (this.#reach & HIDDEN) === 0;
  }

  override async connect(): Promise<void> {
    // A client that offered the `tidings` subprotocol (with its token beside it) must get it back.
    this.accept(this.scope.subprotocols.includes(INFORM_PROTOCOL) ? INFORM_PROTOCOL : undefined);
    if (this.transport) this.transport.appPing = PING;
    const user = this.scope.user;
    this.#deps.expiries?.move(this, undefined, user?.expiresAt);
    const counts = user ? await this.#deps.inbox.counts(user.id) : { unread: 0, seq: 0, rev: 0 };
    const hello: HelloFrame = { type: 'hello', user: user?.id ?? null, unread: counts.unread, seq: counts.seq, ping: this.#deps.settings.pingInterval };
    this.sendJson(hello);
    if (!user) return;
    const version = { seq: counts.seq, count: counts.unread, rev: counts.rev };
    this.cursor = new StreamCursor(version);
    const observer = this.#deps.observer;
    if (observer) {
      this.#reach |= OBSERVED;
      observer.opened(this);
      this.#seen(observer);
    }
    const since = this.scope.query.get('since');
    if (since === null) return;
    const parsed = /^\d{1,15}$/.test(since) ? Number(since) : NaN;
    if (Number.isNaN(parsed)) {
      this.sendError(new TidingsError('BAD_CURSOR', '"since" must be a non-negative integer'));
      return;
    }
    await this.#replay(user.id, parsed, version);
  }

  /**
   * Send a live notification once and in order: duplicates are dropped, a gap before it is filled from the
   * inbox first, and a count older than one already shown is corrected right after the frame.
   */
  deliver(event: NotificationEvent): void | Promise<void> {
    const cursor = this.cursor;
    const user = this.scope.user;
    if (!cursor || !user || event.user !== user.id || event.seq <= cursor.lastSeq || this.#behind) return;
    const transport = this.transport;
    if (transport?.backlogged) return this.#fallBehind(transport);
    // The common case stays synchronous: no promise per event per connection on the fan-out path.
    if (event.seq === cursor.lastSeq + 1) return this.#sendLive(event, cursor);
    return this.#fillGap(user.id, event.seq - 1, event.unread ?? cursor.shown.count).then(() => this.#sendLive(event, cursor));
  }

  /** A pushed unread count, unless a newer one was shown or a catch-up (which sends the count) is due. */
  showUnread(event: UnreadEvent): void {
    const cursor = this.cursor;
    if (!cursor || event.user !== this.scope.user?.id || this.#behind) return;
    if (typeof event.seq === 'number' && !cursor.show({ seq: event.seq, count: event.count, rev: event.rev })) return;
    this.send(preparedFor(event));
  }

  /**
   * The client has not read what it was sent yet: stop pushing its notifications (they stay in the inbox)
   * and catch up from the inbox, in order with everything else, once the socket has drained.
   */
  #fallBehind(transport: Transport): void {
    this.#behind = true;
    void transport.drained().then(() =>
      this.schedule(() => {
        this.#behind = false;
        return this.catchUp();
      }),
    );
  }

  /**
   * Send what the inbox has and this connection has not sent (pushes lost by the layer), then the count if
   * it changed. An inbox outage is logged and the catch-up is tried again (retry.ts) until it succeeds or the
   * connection closes.
   */
  async catchUp(): Promise<void> {
    const cursor = this.cursor;
    const user = this.scope.user;
    if (!cursor || !user) return;
    try {
      const counts = await this.#deps.inbox.counts(user.id);
      const now = { seq: counts.seq, count: counts.unread, rev: counts.rev };
      const shown = cursor.shown.count;
      if (counts.seq > cursor.lastSeq) await this.#fillGap(user.id, counts.seq, counts.unread, now);
      else if (cursor.show(now) && now.count !== shown) this.sendJson({ type: 'unread', count: now.count } satisfies UnreadFrame);
      if (!this.#retry?.waiting) this.#retry = undefined;
    } catch (err) {
      if (!(err instanceof TidingsError)) throw err;
      // Warned once per outage, not at every try.
      if (this.#retry === undefined) this.log.warn({ err }, 'catch-up failed; trying again');
      else this.log.debug({ err }, 'catch-up failed again');
      (this.#retry ??= new Retry()).schedule(() => {
        if (this.isOpen) this.schedule(() => this.catchUp());
      });
    }
  }

  #sendLive(event: NotificationEvent, cursor: StreamCursor): void {
    cursor.lastSeq = event.seq;
    this.send(preparedFor(event));
    if (this.#reach & OBSERVED) this.#seen(this.#deps.observer!);
    if (event.unread !== undefined && !cursor.show({ seq: event.seq, count: event.unread })) {
      this.sendJson({ type: 'unread', count: cursor.shown.count } satisfies UnreadFrame);
    }
  }

  override async receiveJson(content: unknown): Promise<void> {
    if (!this.#takeToken()) {
      this.close(CloseCode.RATE_LIMITED, 'too many messages');
      return;
    }
    const parsed = ClientFrame.safeParse(content);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      this.sendError(new TidingsError('INVALID_FRAME', undefined, { details }));
      return;
    }
    const frame = parsed.data;
    if (frame.type === 'ping') return this.send(PONG);
    if (frame.type === 'visibility') return this.#visibility(frame.state === 'hidden');
    const user = this.scope.user;
    if (!user) return this.sendError(new TidingsError('UNAUTHORIZED', 'anonymous connections cannot do that'));
    try {
      await this.#handle(user.id, frame);
    } catch (err) {
      // An inbox outage answers the frame with an error and keeps the connection; anything else is a bug.
      if (!(err instanceof TidingsError)) throw err;
      this.sendError(err);
    }
  }

  /** Record the page's visibility; becoming visible counts what this connection delivered as seen. */
  #visibility(hidden: boolean): void {
    if (hidden === !this.visible) return;
    this.#reach ^= HIDDEN;
    const observer = this.#deps.observer;
    if (!observer || !(this.#reach & OBSERVED)) return;
    observer.visibility(this);
    this.#seen(observer);
  }

  /** Tell the observer what this connection has delivered, when its page is visible. */
  #seen(observer: ConnectionObserver): void {
    if (observer.delivered !== undefined && this.visible) observer.delivered(this.userId, this.lastSeq);
  }

  async #handle(userId: string, frame: Exclude<ClientFrame, { type: 'ping' | 'visibility' }>): Promise<void> {
    if (frame.type === 'refresh') return this.#refresh(userId, frame.token);
    if (frame.type !== 'resume') return void (await applyReadState(this.#deps.publisher, userId, frame));
    const counts = await this.#deps.inbox.counts(userId);
    return this.#replay(userId, frame.since, { seq: counts.seq, count: counts.unread, rev: counts.rev });
  }

  override disconnect(): void {
    this.#retry?.cancel();
    this.#deps.expiries?.move(this, this.scope.user?.expiresAt, undefined);
    this.#deps.live?.delete(this);
    if (this.#reach & OBSERVED) {
      this.#reach &= ~OBSERVED;
      this.#deps.observer?.closed(this);
    }
    if (this.#reach & SLOT) {
      this.#reach &= ~SLOT;
      this.#deps.slots!.release(this.scope.user!.id);
    }
  }

  /** What a replay or gap fill of this connection writes to (see replay.ts). */
  #target(cursor: StreamCursor): ReplayTarget {
    return {
      cursor,
      inbox: this.#deps.inbox,
      replayLimit: this.#deps.settings.replayLimit,
      transport: () => this.transport,
      isOpen: () => this.isOpen,
      sendJson: (frame) => this.sendJson(frame),
      sendError: (err) => this.sendError(err),
      delivered: () => {
        if (this.#reach & OBSERVED) this.#seen(this.#deps.observer!);
      },
    };
  }

  #replay(userId: string, since: number, now: CountVersion): Promise<void> {
    return replay(this.#target(this.cursor as StreamCursor), userId, since, now);
  }

  #fillGap(userId: string, upTo: number, unread: number, now?: CountVersion): Promise<void> {
    return fillGap(this.#target(this.cursor as StreamCursor), userId, upTo, unread, now);
  }

  /** Replace the connection's token by a fresh one for the same user (which moves the expiry). */
  async #refresh(userId: string, token: string): Promise<void> {
    const verifier = this.#deps.verifier;
    if (!verifier) throw new TidingsError('UNAUTHORIZED', 'token refresh is not available');
    const user = await verifier.verify(token);
    if (user.id !== userId) throw new TidingsError('FORBIDDEN', 'a refreshed token must be for the same user');
    const previous = this.scope.user?.expiresAt;
    this.scope.user = user;
    this.#deps.expiries?.move(this, previous, user.expiresAt);
  }

  #takeToken(): boolean {
    const rate = this.#deps.settings.messageRate;
    const now = Date.now();
    this.#tokens = Math.min(rate * 2, this.#tokens + ((now - this.#refilledAt) / 1000) * rate);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
