/**
 * Changing a user's inbox over HTTP, the same for `/v1/me/…` (the token's user) and `/v1/users/:id/…` (the
 * API key, or that user's own token): mark read, mark unread, archive. Each answers `{"unread": n}` after
 * the change is stored, and every tab of the user gets the new count.
 */
import { ArchiveInput, ReadInput, UnreadInput, parseInput, type Publisher } from '../notify/index.js';
import type { HttpContext, HttpRoute, Reply } from './router.js';

/** Finds whose inbox a request changes (and checks it may). */
export type InboxOwner = (ctx: HttpContext) => Promise<string>;

/** `POST <base>/read`, `<base>/unread` and `<base>/archive` (base: `/v1/me` or `/v1/users/:id`). */
export function inboxActionRoutes(base: string, owner: InboxOwner, publisher: Publisher): HttpRoute[] {
  const action = (name: string, run: (userId: string, body: unknown) => Promise<number>): HttpRoute => ({
    method: 'POST',
    path: `${base}/${name}`,
    handler: async (ctx): Promise<Reply> => {
      const userId = await owner(ctx);
      return { body: { unread: await run(userId, await ctx.json()) } };
    },
  });
  return [
    action('read', (userId, body) => {
      const input = parseInput(ReadInput, body);
      return 'all' in input ? publisher.markAllRead(userId) : publisher.markRead(userId, input.ids);
    }),
    action('unread', (userId, body) => publisher.markUnread(userId, parseInput(UnreadInput, body).ids)),
    action('archive', (userId, body) => {
      const input = parseInput(ArchiveInput, body);
      return 'read' in input ? publisher.archiveRead(userId) : publisher.archive(userId, input.ids);
    }),
  ];
}
