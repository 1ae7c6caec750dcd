/**
 * The demo blog's server side (development only): dev tokens, comments, follows and announcements. It
 * publishes through the same Publisher API a real application uses. Comments live in memory (the last 100).
 */
import { z } from 'zod';
import { TidingsError } from '../errors.js';
import { requireUser, signToken, type TokenVerifier } from '../auth/index.js';
import { parseInput, type Publisher } from '../notify/index.js';
import type { HttpContext, HttpRoute } from './router.js';

export interface DemoDeps {
  publisher: Publisher;
  verifier: TokenVerifier | null;
  jwtSecret: string | undefined;
  cookieName: string;
}

/** The demo article, written by alice (its text is public/index.html). */
export const DEMO_ARTICLE = { id: 'why-we-stopped-polling', title: 'Why we stopped polling', author: 'alice' };
const DEMO_USERS = ['alice', 'bob', 'carol'] as const;
const User = z.object({ user: z.enum(DEMO_USERS) });
const Comment = z.object({ text: z.string().min(1).max(500) });
const Follow = z.object({ target: z.enum(DEMO_USERS) });
const Announce = z.object({ text: z.string().min(1).max(500) });
const MAX_COMMENTS = 100;

export function demoRoutes(deps: DemoDeps): HttpRoute[] {
  const comments: Array<{ from: string; text: string; createdAt: string }> = [];
  const whoami = async (ctx: HttpContext) => (await requireUser(ctx, deps)).id;
  return [
    {
      method: 'POST',
      path: '/demo/api/token',
      handler: async (ctx) => {
        const { user } = parseInput(User, await ctx.json());
        if (!deps.jwtSecret) throw new TidingsError('FORBIDDEN', 'dev tokens need an HS256 secret');
        return { body: { user, token: await signToken(deps.jwtSecret, user, { ttlSeconds: 8 * 3600 }) } };
      },
    },
    { method: 'GET', path: '/demo/api/article', handler: () => ({ body: { ...DEMO_ARTICLE, comments } }) },
    {
      method: 'POST',
      path: '/demo/api/comment',
      handler: async (ctx) => {
        const from = await whoami(ctx);
        const { text } = parseInput(Comment, await ctx.json());
        comments.push({ from, text, createdAt: new Date().toISOString() });
        if (comments.length > MAX_COMMENTS) comments.shift();
        // The author is told of everyone's comments but her own.
        if (from === DEMO_ARTICLE.author) return { status: 201, body: { ok: true } };
        const data = { from, article: DEMO_ARTICLE.title, text };
        const [stored] = await deps.publisher.notify({ to: DEMO_ARTICLE.author, kind: 'comment', data });
        return { status: 201, body: { ok: true, seq: stored?.notification.seq } };
      },
    },
    {
      method: 'POST',
      path: '/demo/api/follow',
      handler: async (ctx) => {
        const from = await whoami(ctx);
        const { target } = parseInput(Follow, await ctx.json());
        if (target === from) throw new TidingsError('INVALID_BODY', 'you cannot follow yourself');
        await deps.publisher.notify({ to: target, kind: 'follow', data: { from } });
        return { status: 201, body: { ok: true } };
      },
    },
    {
      method: 'POST',
      path: '/demo/api/announce',
      handler: async (ctx) => {
        const from = await whoami(ctx);
        const { text } = parseInput(Announce, await ctx.json());
        return { status: 202, body: await deps.publisher.broadcast({ kind: 'announcement', data: { from, text } }) };
      },
    },
  ];
}
