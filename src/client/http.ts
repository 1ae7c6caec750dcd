/**
 * The user's own inbox over HTTP (`/v1/me/…`), authenticated with the same token as the socket.
 */
import { TidingsClientError } from './errors.js';
import type { FetchLike, GetToken, ListOptions, NotificationPage } from './types.js';

/** The HTTP half of the client. */
export interface InboxHttp {
  list(options: ListOptions): Promise<NotificationPage>;
  /** Marks read; resolves with the new unread count. */
  read(body: { ids: string[] } | { all: true }): Promise<number>;
  /** POSTs to `/v1/me/<action>` (`unread`, `archive`); resolves with the new unread count. */
  change(action: 'unread' | 'archive', body: { ids: string[] } | { read: true }): Promise<number>;
}

/** Options of {@link createInboxHttp}. */
export interface InboxHttpOptions {
  /** Base URL without a trailing slash, e.g. `https://example.com`. */
  base: string;
  fetch: FetchLike;
  getToken: GetToken | undefined;
  /** The token the socket is using, tried first to save a getToken() call. */
  currentToken(): string | null | undefined;
}

/** HTTP calls that retry once with a fresh token when a cached one gets a 401. */
export function createInboxHttp(o: InboxHttpOptions): InboxHttp {
  async function call(method: string, path: string, body?: object, fresh = false): Promise<Record<string, unknown>> {
    const cached = fresh ? undefined : o.currentToken();
    const token = cached ?? (await o.getToken?.());
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await o.fetch(o.base + path, { method, headers, ...(body && { body: JSON.stringify(body) }) });
    } catch (err) {
      throw new TidingsClientError('NETWORK_ERROR', `${method} ${path} failed`, { cause: err });
    }
    if (response.status === 401 && cached && o.getToken) return call(method, path, body, true);
    const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (!response.ok || !json || typeof json !== 'object') {
      const code = typeof json?.code === 'string' ? json.code : 'HTTP_ERROR';
      const message = typeof json?.message === 'string' ? json.message : `${method} ${path}: HTTP ${response.status}`;
      throw new TidingsClientError(code, message, { status: response.status, details: json?.details });
    }
    return json;
  }

  const count = (json: Record<string, unknown>): number => (typeof json.unread === 'number' ? json.unread : 0);

  return {
    async list({ before, limit = 20, unreadOnly }) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (before !== undefined) query.set('before', String(before));
      if (unreadOnly) query.set('unread', '1');
      const json = await call('GET', `/v1/me/notifications?${query}`);
      if (!Array.isArray(json.items)) throw new TidingsClientError('HTTP_ERROR', 'list response has no items');
      const next = json.nextBefore;
      return { items: json.items as NotificationPage['items'], nextBefore: typeof next === 'number' ? next : null, unread: count(json) };
    },
    async read(body) {
      return count(await call('POST', '/v1/me/read', body));
    },
    async change(action, body) {
      return count(await call('POST', `/v1/me/${action}`, body));
    },
  };
}
