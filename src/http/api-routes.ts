/**
 * The backend's HTTP API (`Authorization: Bearer <TIDINGS_API_KEY>`): publish notifications and broadcasts,
 * read a user's inbox and unread count, and stats for dashboards. Every write answers after the commit.
 * The two per-user reads also accept that user's own connection token (Bearer or cookie): a token for
 * another user is refused with 403 FORBIDDEN.
 */
import { TidingsError } from '../errors.js';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../protocol/limits.js';
import type { InboxStore } from '../inbox/index.js';
import { toView } from '../inbox/index.js';
import { requireApiKey, requireReader, type TokenVerifier } from '../auth/index.js';
import type { Publisher } from '../notify/index.js';
import { inboxActionRoutes } from './inbox-actions.js';
import type { HttpContext, HttpRoute, Reply } from './router.js';
import type { Authenticator } from '../consumer/index.js';

export interface ApiDeps {
  publisher: Publisher;
  inbox: InboxStore;
  apiKey: string | undefined;
  /** Verifies user tokens on the per-user read routes; null: those routes take the API key only. */
  verifier?: TokenVerifier | null;
  /** Cookie carrying a user token (as for sockets). */
  cookieName?: string;
  /** Numbers for `/v1/stats`. */
  stats: () => Record<string, unknown>;
  /** The socket authenticator, when the app brought its own: user requests are authenticated with it. */
  authenticate?: Authenticator;
}

/** Parse `?limit=&before=&unread=` into a ListQuery. @throws INVALID_BODY for malformed numbers. */
export function listQuery(url: URL): { limit: number; before?: number; unreadOnly: boolean } {
  const limit = url.searchParams.get('limit');
  const before = url.searchParams.get('before');
  const n = (v: string, name: string, max: number) => {
    if (!/^\d{1,15}$/.test(v) || Number(v) > max) throw new TidingsError('INVALID_BODY', `"${name}" must be an integer up to ${max}`);
    return Number(v);
  };
  const unread = url.searchParams.get('unread');
  return {
    limit: limit === null ? DEFAULT_LIST_LIMIT : Math.max(1, n(limit, 'limit', MAX_LIST_LIMIT)),
    ...(before === null ? {} : { before: n(before, 'before', Number.MAX_SAFE_INTEGER) }),
    unreadOnly: unread === '1' || unread === 'true',
  };
}

export function apiRoutes(deps: ApiDeps): HttpRoute[] {
  const guard = (handler: HttpRoute['handler']): HttpRoute['handler'] => (ctx) => {
    requireApiKey(ctx, deps.apiKey);
    return handler(ctx);
  };
  const reader = (handler: (ctx: HttpContext, userId: string) => Promise<Reply>): HttpRoute['handler'] => async (ctx) => {
    const userId = ctx.params.id ?? '';
    await requireReader(ctx, deps, userId);
    return handler(ctx, userId);
  };
  return [
    {
      method: 'POST',
      path: '/v1/notifications',
      handler: guard(async (ctx) => {
        const body = await ctx.json();
        const results = await deps.publisher.notify(body as Parameters<Publisher['notify']>[0]);
        const items = results.map((r) => ({ ...toView(r.notification), userId: r.notification.userId, unread: r.unread, created: r.created }));
        const single = typeof (body as { to?: unknown }).to === 'string';
        return { status: 201, body: single ? items[0] : { items } };
      }),
    },
    {
      method: 'POST',
      path: '/v1/broadcasts',
      handler: guard(async (ctx) => ({ status: 202, body: await deps.publisher.broadcast((await ctx.json()) as Parameters<Publisher['broadcast']>[0]) })),
    },
    {
      method: 'GET',
      path: '/v1/users/:id/notifications',
      handler: reader(async (ctx, userId) => {
        const page = await deps.inbox.list(userId, listQuery(ctx.url));
        return { body: { items: page.items.map(toView), nextBefore: page.nextBefore, unread: await deps.inbox.unreadCount(userId) } };
      }),
    },
    {
      method: 'GET',
      path: '/v1/users/:id/unread-count',
      handler: reader(async (_ctx, userId) => {
        const { unread, seq } = await deps.inbox.counts(userId);
        return { body: { unread, seq } };
      }),
    },
    ...inboxActionRoutes('/v1/users/:id', async (ctx) => {
      const userId = ctx.params.id ?? '';
      await requireReader(ctx, deps, userId);
      return userId;
    }, deps.publisher),
    { method: 'GET', path: '/v1/stats', handler: guard(() => ({ body: deps.stats() })) },
  ];
}
