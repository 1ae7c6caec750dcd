/**
 * HTTP routes of src/reach: presence, preferences, contact and push subscriptions.
 *
 * - `GET /v1/users/:id/presence` (API key, or the user's own token)
 * - `GET`/`PUT /v1/users/:id/preferences` (API key), `GET`/`PUT /v1/me/preferences` (the user's token)
 * - `PUT /v1/users/:id/contact {"email"}` (API key only)
 * - `GET /v1/push/public-key` (public), `POST`/`DELETE /v1/me/push-subscriptions` (the user's token)
 */
import { z } from 'zod';
import { TidingsError } from '../errors.js';
import { checkUserId } from '../inbox/index.js';
import { requireApiKey, requireReader, requireUser, type UserSource } from '../auth/index.js';
import type { HttpContext, HttpRoute, Reply } from '../http/index.js';
import { parsePreferences, viewOf } from './preferences.js';
import type { PresenceStore } from './presence.js';
import type { ReachStore } from './store.js';

/** What the routes need. */
export interface ReachRouteDeps extends UserSource {
  store: ReachStore;
  presence: PresenceStore;
  apiKey: string | undefined;
  /** The VAPID public key, when Web Push is configured. */
  vapidPublicKey?: string | undefined;
}

const Contact = z.strictObject({ email: z.email().max(254).nullable() });
const Subscription = z.object({
  endpoint: z.url().max(2048).refine((u) => /^https?:/.test(u), 'must be an http(s) URL'),
  keys: z.object({ p256dh: z.string().min(1).max(256), auth: z.string().min(1).max(256) }),
});
const Unsubscribe = z.object({ endpoint: z.string().min(1).max(2048) });

/** Parse `body` with `schema`. @throws TidingsError INVALID_BODY with `details: [{path, message}]`. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new TidingsError('INVALID_BODY', `invalid ${what}`, { details });
}

/** The routes; see the module comment. */
export function reachRoutes(deps: ReachRouteDeps): HttpRoute[] {
  const { store } = deps;
  const api = (fn: (ctx: HttpContext, user: string) => Promise<Reply>) => async (ctx: HttpContext) => {
    requireApiKey(ctx, deps.apiKey);
    return fn(ctx, checkUserId(ctx.params.id ?? ''));
  };
  const me = (fn: (ctx: HttpContext, user: string) => Promise<Reply>) => async (ctx: HttpContext) => fn(ctx, (await requireUser(ctx, deps)).id);
  const getPrefs = async (_ctx: HttpContext, user: string): Promise<Reply> => ({ body: viewOf(await store.getPreferences(user)) });
  const putPrefs = async (ctx: HttpContext, user: string): Promise<Reply> => {
    const prefs = parsePreferences(await ctx.json());
    await store.putPreferences(user, prefs);
    return { body: viewOf(prefs) };
  };
  return [
    {
      method: 'GET',
      path: '/v1/users/:id/presence',
      handler: async (ctx) => {
        const user = checkUserId(ctx.params.id ?? '');
        await requireReader(ctx, deps, user);
        return { body: await deps.presence.get(user) };
      },
    },
    { method: 'GET', path: '/v1/users/:id/preferences', handler: api(getPrefs) },
    { method: 'PUT', path: '/v1/users/:id/preferences', handler: api(putPrefs) },
    { method: 'GET', path: '/v1/me/preferences', handler: me(getPrefs) },
    { method: 'PUT', path: '/v1/me/preferences', handler: me(putPrefs) },
    {
      method: 'PUT',
      path: '/v1/users/:id/contact',
      handler: api(async (ctx, user) => {
        const { email } = parseBody(Contact, await ctx.json(), 'contact: expected {"email": "<address>" | null}');
        await store.setEmail(user, email);
        return { body: { user, email } };
      }),
    },
    {
      method: 'GET',
      path: '/v1/push/public-key',
      handler: () => {
        if (!deps.vapidPublicKey) throw new TidingsError('NOT_FOUND', 'Web Push is not configured on this server');
        return { body: { publicKey: deps.vapidPublicKey } };
      },
    },
    {
      method: 'POST',
      path: '/v1/me/push-subscriptions',
      handler: me(async (ctx, user) => {
        if (!deps.vapidPublicKey) throw new TidingsError('NOT_FOUND', 'Web Push is not configured on this server');
        const sub = parseBody(Subscription, await ctx.json(), 'push subscription: expected PushSubscription.toJSON()');
        await store.addSubscription(user, { endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth });
        return { status: 201, body: { endpoint: sub.endpoint } };
      }),
    },
    {
      method: 'DELETE',
      path: '/v1/me/push-subscriptions',
      handler: me(async (ctx, user) => {
        const { endpoint } = parseBody(Unsubscribe, await ctx.json(), 'body: expected {"endpoint"}');
        const removed = await store.removeSubscription(endpoint, user);
        return { body: { removed } };
      }),
    },
  ];
}
