/**
 * The built-in endpoint `/inform/`: an authenticated connection joins the site-wide group and its own
 * personal group (derived from the authenticated user id only), receives `hello`, then a replay of what it
 * missed (`?since=` or a `resume` frame), then live frames, each notification once and in seq order.
 *
 * Ordering: groups are joined before `connect()` and live events queue behind it (the consumer processes
 * one thing at a time), so a notification committed during the replay is either in the replay or arrives
 * live afterwards; `lastSeq` drops the copy that arrives twice.
 */
import { TidingsError } from '../errors.js';
import { CloseCode } from '../protocol/close-codes.js';
import { ClientFrame, type HelloFrame, type ResumedFrame } from '../protocol/frames.js';
import { JsonConsumer, type EventHandlers, type Handshake, type Scope, type SocketApp } from '../consumer/index.js';
import type { InboxStore } from '../inbox/index.js';
import { prepareText, type PreparedText } from '../transport/index.js';
import { SITE_GROUP, preparedFor, userGroup, type BroadcastEvent, type NotificationEvent, type UnreadEvent } from './events.js';
import type { TokenVerifier } from './auth.js';
import { notificationFrame, type Publisher } from './publisher.js';

export interface NotificationSettings {
  pingInterval: number;
  replayLimit: number;
  messageRate: number;
  maxConnectionsPerUser: number;
}

/** What every `/inform/` connection shares. */
export interface NotificationDeps {
  inbox: InboxStore;
  publisher: Publisher;
  verifier: TokenVerifier | null;
  settings: NotificationSettings;
  /** Open connections per user in this process (for the per-user limit). */
  perUser: Map<string, number>;
}

const PING: PreparedText = prepareText('{"type":"ping"}');
const PONG: PreparedText = prepareText('{"type":"pong"}');

const HANDLERS: EventHandlers<NotificationConsumer> = {
  'tidings.notification'(this: NotificationConsumer, event: NotificationEvent) {
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.send(preparedFor(event));
  },
  'tidings.broadcast'(this: NotificationConsumer, event: BroadcastEvent) {
    this.send(preparedFor(event));
  },
  'tidings.unread'(this: NotificationConsumer, event: UnreadEvent) {
    this.send(preparedFor(event));
  },
};

export class NotificationConsumer extends JsonConsumer {
  override handlers = HANDLERS as EventHandlers<this>;
  /** Highest seq sent on this connection. */
  lastSeq = 0;
  #deps: NotificationDeps;
  #expiry: NodeJS.Timeout | null = null;
  #tokens: number;
  #refilledAt = Date.now();

  constructor(scope: Scope, handshake: Handshake, deps: NotificationDeps) {
    super(scope, handshake);
    this.#deps = deps;
    this.#tokens = deps.settings.messageRate * 2;
    const user = scope.user;
    this.groups = user ? [SITE_GROUP, userGroup(user.id)] : [SITE_GROUP];
  }

  override async connect(): Promise<void> {
    this.accept();
    const transport = this.transport as { appPing?: PreparedText | null } | null;
    if (transport && 'appPing' in transport) transport.appPing = PING;
    const user = this.scope.user;
    this.#armExpiry(user?.expiresAt);
    const counts = user ? await this.#deps.inbox.counts(user.id) : { unread: 0, seq: 0 };
    const hello: HelloFrame = { type: 'hello', user: user?.id ?? null, unread: counts.unread, seq: counts.seq, ping: this.#deps.settings.pingInterval };
    this.sendJson(hello);
    this.lastSeq = counts.seq;
    const since = this.scope.query.get('since');
    if (since === null || !user) return;
    const parsed = /^\d{1,15}$/.test(since) ? Number(since) : NaN;
    if (Number.isNaN(parsed)) {
      this.sendError(new TidingsError('BAD_CURSOR', '"since" must be a non-negative integer'));
      return;
    }
    await this.#replay(user.id, parsed, counts.seq, counts.unread);
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
    const user = this.scope.user;
    if (!user) return this.sendError(new TidingsError('UNAUTHORIZED', 'anonymous connections cannot do that'));
    switch (frame.type) {
      case 'read':
        await this.#deps.publisher.markRead(user.id, frame.ids);
        return;
      case 'read_all':
        await this.#deps.publisher.markAllRead(user.id);
        return;
      case 'resume': {
        const counts = await this.#deps.inbox.counts(user.id);
        await this.#replay(user.id, frame.since, counts.seq, counts.unread);
        return;
      }
      case 'refresh':
        return this.#refresh(user.id, frame.token);
    }
  }

  override disconnect(): void {
    if (this.#expiry) clearTimeout(this.#expiry);
    const id = this.scope.user?.id;
    if (id === undefined) return;
    const left = (this.#deps.perUser.get(id) ?? 1) - 1;
    if (left > 0) this.#deps.perUser.set(id, left);
    else this.#deps.perUser.delete(id);
  }

  async #replay(userId: string, since: number, seq: number, unread: number): Promise<void> {
    const { replayLimit } = this.#deps.settings;
    if (since > seq) {
      this.sendError(new TidingsError('BAD_CURSOR', `"since" (${since}) is ahead of the latest seq (${seq})`));
      return this.#resumed(since, seq, 0, false);
    }
    if (seq - since > replayLimit) return this.#resumed(since, seq, 0, false);
    const rows = await this.#deps.inbox.since(userId, since, replayLimit);
    for (const n of rows) this.sendJson(notificationFrame(n, unread));
    const last = rows.at(-1)?.seq ?? since;
    if (last > this.lastSeq) this.lastSeq = last;
    this.#resumed(since, Math.max(seq, last), rows.length, true);
  }

  #resumed(since: number, seq: number, count: number, recovered: boolean): void {
    const frame: ResumedFrame = { type: 'resumed', since, seq, count, recovered };
    this.sendJson(frame);
  }

  async #refresh(userId: string, token: string): Promise<void> {
    const verifier = this.#deps.verifier;
    if (!verifier) return this.sendError(new TidingsError('UNAUTHORIZED', 'token refresh is not available'));
    try {
      const user = await verifier.verify(token);
      if (user.id !== userId) throw new TidingsError('FORBIDDEN', 'a refreshed token must be for the same user');
      this.#armExpiry(user.expiresAt);
    } catch (err) {
      if (err instanceof TidingsError) this.sendError(err);
      else throw err;
    }
  }

  #armExpiry(expiresAt: number | undefined): void {
    if (this.#expiry) clearTimeout(this.#expiry);
    this.#expiry = null;
    if (expiresAt === undefined) return;
    const delay = Math.min(Math.max(expiresAt - Date.now(), 0), 2 ** 31 - 1);
    this.#expiry = setTimeout(() => this.close(CloseCode.UNAUTHORIZED, 'token expired'), delay);
    this.#expiry.unref();
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

/**
 * The `/inform/` application: refuses a user over the per-user connection limit with 429, then runs a
 * NotificationConsumer. Put it behind origin and auth middleware.
 */
export function notificationApp(deps: NotificationDeps): SocketApp {
  return (scope, handshake) => {
    const id = scope.user?.id;
    if (id !== undefined) {
      const open = deps.perUser.get(id) ?? 0;
      if (open >= deps.settings.maxConnectionsPerUser) {
        handshake.reject(429, 'TOO_MANY_CONNECTIONS', 'too many connections for this user');
        return;
      }
      deps.perUser.set(id, open + 1);
    }
    const consumer = new NotificationConsumer(scope, handshake, deps);
    return consumer.run().then(() => {
      if (!consumer.accepted) consumer.disconnect();
    });
  };
}
