/**
 * The connected user's own inbox over HTTP (the seed's AJAX `notes_add_url`), authenticated like the socket
 * (Bearer token or cookie): list, mark read or unread, archive, and the long-poll fallback for networks that
 * block WebSocket (notify/long-poll.ts).
 * POSTs require `Content-Type: application/json`, which a cross-site form cannot send (CSRF guard).
 */
import { TidingsError } from '../errors.js';
import { toView, type InboxStore } from '../inbox/index.js';
import type { ChannelLayer } from '../layer/index.js';
import { requireUser, type TokenVerifier } from '../auth/index.js';
import { PollWaiters, longPoll, type PollLimits, type Publisher } from '../notify/index.js';
import type { Authenticator } from '../consumer/index.js';
import { listQuery } from './api-routes.js';
import { inboxActionRoutes } from './inbox-actions.js';
import type { HttpRoute } from './router.js';

export interface MeDeps {
  inbox: InboxStore;
  publisher: Publisher;
  layer: ChannelLayer;
  verifier: TokenVerifier | null;
  cookieName: string;
  /** Longest long-poll wait in seconds. */
  maxPollWait?: number;
  /** Waiting long polls allowed per user and per client address (0: no limit), like open sockets. */
  pollLimits?: PollLimits;
  /** Counts the waiting long polls (shared with `/v1/stats`); default a private one. */
  pollWaiters?: PollWaiters;
  /** The socket authenticator, when the app brought its own: `/v1/me/*` is authenticated with it too. */
  authenticate?: Authenticator;
}

export function meRoutes(deps: MeDeps): HttpRoute[] {
  const maxWait = deps.maxPollWait ?? 30;
  const poll = { inbox: deps.inbox, layer: deps.layer, waiters: deps.pollWaiters ?? new PollWaiters(), limits: deps.pollLimits ?? { perUser: 20, perIp: 0 } };
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
        // Aborted when the client goes away (perhaps already, while it was authenticated).
        const gone = new AbortController();
        ctx.res.once('close', () => gone.abort());
        if (ctx.req.socket.destroyed) gone.abort();
        const polled = await longPoll(poll, { user: user.id, ip: ctx.ip, since, waitSeconds: wait, signal: gone.signal });
        return { body: { items: polled.items.map(toView), seq: polled.seq, unread: polled.unread } };
      },
    },
  ];
}
