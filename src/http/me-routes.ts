/**
 * The connected user's own inbox over HTTP (the seed's AJAX `notes_add_url`), authenticated like the socket
 * (Bearer token or cookie): list, mark read or unread, archive, and a long-poll fallback for networks that block WebSocket.
 * POSTs require `Content-Type: application/json`, which a cross-site form cannot send (CSRF guard).
 */
import { TidingsError } from '../errors.js';
import { toView, type InboxStore } from '../inbox/index.js';
import type { ChannelLayer } from '../layer/index.js';
import { requireUser, type TokenVerifier } from '../auth/index.js';
import { userGroup, type Publisher } from '../notify/index.js';
import type { Authenticator } from '../consumer/index.js';
import { listQuery } from './api-routes.js';
import { inboxActionRoutes } from './inbox-actions.js';
import type { HttpContext, HttpRoute } from './router.js';

export interface MeDeps {
  inbox: InboxStore;
  publisher: Publisher;
  layer: ChannelLayer;
  verifier: TokenVerifier | null;
  cookieName: string;
  /** Longest long-poll wait in seconds. */
  maxPollWait?: number;
  /** Waiting long polls allowed per user and per client address (0: no limit), like open sockets. */
  pollLimits?: { perUser: number; perIp: number };
  /** Counts the waiting long polls (shared with `/v1/stats`); default a private one. */
  pollWaiters?: PollWaiters;
  /** The socket authenticator, when the app brought its own: `/v1/me/*` is authenticated with it too. */
  authenticate?: Authenticator;
}

/** Long polls waiting right now, per user and per client address, with their limits. */
export class PollWaiters {
  readonly #byUser = new Map<string, number>();
  readonly #byIp = new Map<string, number>();
  #total = 0;

  /** Waiting long polls in this process. */
  get total(): number {
    return this.#total;
  }

  /** Count one more waiter, or throw TOO_MANY_CONNECTIONS (429) over a limit. Returns its release. */
  enter(user: string, ip: string, limits: { perUser: number; perIp: number }): () => void {
    const byUser = this.#byUser.get(user) ?? 0;
    const byIp = this.#byIp.get(ip) ?? 0;
    if (byUser >= limits.perUser) throw new TidingsError('TOO_MANY_CONNECTIONS', 'too many long polls for this user');
    if (limits.perIp > 0 && byIp >= limits.perIp) throw new TidingsError('TOO_MANY_CONNECTIONS', 'too many long polls from this address');
    this.#byUser.set(user, byUser + 1);
    this.#byIp.set(ip, byIp + 1);
    this.#total++;
    return () => {
      this.#total--;
      decrement(this.#byUser, user);
      decrement(this.#byIp, ip);
    };
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const left = (map.get(key) ?? 1) - 1;
  if (left > 0) map.set(key, left);
  else map.delete(key);
}


/**
 * Listen on the user's group (joined before the inbox is read, so nothing committed in between is missed).
 * `wait(seconds)` resolves on the next notification, the timeout, or the client going away.
 */
async function listen(ctx: HttpContext, layer: ChannelLayer, group: string): Promise<{ wait(seconds: number): Promise<void>; close(): void }> {
  const channel = layer.newChannel('poll');
  let wake: () => void = () => {};
  let woken = false;
  const stop = layer.receive(channel, (event) => {
    if (event.type !== 'tidings.notification') return;
    woken = true;
    wake();
  });
  await layer.groupAdd(group, channel);
  return {
    wait: (seconds) =>
      new Promise<void>((resolve) => {
        // The client may already be gone (its 'close' came while the inbox was read).
        if (woken || ctx.req.socket.destroyed) return resolve();
        const timer = setTimeout(() => wake(), seconds * 1000);
        ctx.res.once('close', () => wake());
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    close: () => {
      stop();
      layer.groupDiscard(group, channel).catch(() => {});
    },
  };
}

export function meRoutes(deps: MeDeps): HttpRoute[] {
  const maxWait = deps.maxPollWait ?? 30;
  const waiters = deps.pollWaiters ?? new PollWaiters();
  const limits = deps.pollLimits ?? { perUser: 20, perIp: 0 };
  return [
    {
      method: 'GET',
      path: '/v1/me/notifications',
      handler: async (ctx) => {
        const user = await requireUser(ctx, deps);
        const page = await deps.inbox.list(user.id, listQuery(ctx.url));
        return { body: { items: page.items.map(toView), nextBefore: page.nextBefore, unread: await deps.inbox.unreadCount(user.id) } };
      },
    },
    ...inboxActionRoutes('/v1/me', async (ctx) => (await requireUser(ctx, deps)).id, deps.publisher),
    {
      method: 'GET',
      path: '/v1/me/poll',
      handler: async (ctx) => {
        const user = await requireUser(ctx, deps);
        const since = Number(ctx.url.searchParams.get('since') ?? '0');
        const wait = Math.min(Number(ctx.url.searchParams.get('wait') ?? '25'), maxWait);
        if (!Number.isInteger(since) || since < 0) throw new TidingsError('BAD_CURSOR', '"since" must be a non-negative integer');
        if (!Number.isFinite(wait) || wait < 0) throw new TidingsError('INVALID_BODY', '"wait" must be a number of seconds');
        const release = waiters.enter(user.id, ctx.ip, limits);
        const sub = await listen(ctx, deps.layer, userGroup(user.id)).catch((err: unknown) => {
          release();
          throw err;
        });
        try {
          let items = await deps.inbox.since(user.id, since, 100);
          if (items.length === 0 && wait > 0) {
            await sub.wait(wait);
            items = await deps.inbox.since(user.id, since, 100);
          }
          const counts = await deps.inbox.counts(user.id);
          return { body: { items: items.map(toView), seq: counts.seq, unread: counts.unread } };
        } finally {
          sub.close();
          release();
        }
      },
    },
  ];
}
