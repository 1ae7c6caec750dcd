/**
 * Validation and normalisation of what callers hand to an inbox store, shared by every backend. A bad item
 * is refused before it is queued, so it can never make a group-commit batch (and its neighbours) fail.
 */
import { TidingsError } from '../errors.js';
import { invalid } from './store-errors.js';
import {
  DEFAULT_LIST_LIMIT,
  MAX_DATA_LENGTH,
  MAX_DEDUPE_KEY_LENGTH,
  MAX_KIND_LENGTH,
  MAX_LIST_LIMIT,
  MAX_SINCE_LIMIT,
  MAX_USER_ID_LENGTH,
} from '../protocol/limits.js';
import type { ListQuery, NewNotification } from './types.js';

/** A notification checked and encoded, ready to be stored. */
export interface PreparedNotification {
  userId: string;
  kind: string;
  /** `data` as JSON text (always an object). */
  json: string;
  dedupeKey: string | null;
}

/** A normalised {@link ListQuery}. */
export interface ListBounds {
  unreadOnly: boolean;
  limit: number;
  before: number;
}

// PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded as UTF-8 (it would come back as
// U+FFFD): both are refused in identifiers. In `data` they are fine, because JSON escapes them.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function text(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw invalid(field, `${field} must be a string of 1-${max} characters`);
  }
  if (UNSTORABLE.test(value)) throw invalid(field, `${field} contains a NUL character or a lone surrogate`);
  return value;
}

/** Check a user id argument. @throws TidingsError INVALID_BODY */
export function checkUserId(userId: unknown): string {
  return text('userId', userId, MAX_USER_ID_LENGTH);
}

function encodeData(data: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (err) {
    throw invalid('data', 'data cannot be serialised as JSON', err);
  }
  // Checked on the JSON text so that objects with toJSON() (a Date) are judged by what is stored.
  if (json === undefined || json[0] !== '{') throw invalid('data', 'data must be a JSON object');
  if (json.length > MAX_DATA_LENGTH) throw invalid('data', `data is longer than ${MAX_DATA_LENGTH} characters of JSON`);
  return json;
}

/** Check and encode a notification. @throws TidingsError INVALID_BODY, naming the field in `details`. */
export function prepareNotification(n: NewNotification): PreparedNotification {
  if (typeof n !== 'object' || n === null) throw invalid('notification', 'notification must be an object');
  return {
    userId: checkUserId(n.userId),
    kind: text('kind', n.kind, MAX_KIND_LENGTH),
    json: encodeData(n.data),
    dedupeKey: n.dedupeKey == null ? null : text('dedupeKey', n.dedupeKey, MAX_DEDUPE_KEY_LENGTH),
  };
}

/** Normalise a list query: limit clamped to 1-{@link MAX_LIST_LIMIT}. @throws INVALID_BODY for a bad `before`. */
export function listBounds(q: ListQuery = {}): ListBounds {
  const raw = q.limit === undefined ? DEFAULT_LIST_LIMIT : Math.trunc(Number(q.limit));
  const limit = Number.isFinite(raw) ? Math.min(MAX_LIST_LIMIT, Math.max(1, raw)) : DEFAULT_LIST_LIMIT;
  if (q.before !== undefined && !(Number.isSafeInteger(q.before) && q.before >= 0)) {
    throw invalid('before', 'before must be a non-negative integer');
  }
  return { unreadOnly: q.unreadOnly === true, limit, before: q.before ?? Number.MAX_SAFE_INTEGER };
}

/** Check `since` arguments. @throws BAD_CURSOR for a bad seq, INVALID_BODY for a bad limit. */
export function checkSince(seq: number, limit: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new TidingsError('BAD_CURSOR', 'seq must be a non-negative integer');
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_SINCE_LIMIT) {
    throw invalid('limit', `limit must be an integer from 0 to ${MAX_SINCE_LIMIT}`);
  }
}

/**
 * Check ids for `markRead`; drop duplicates and ids that no stored row can have (a NUL would also make
 * PostgreSQL refuse the whole query). @throws INVALID_BODY when `ids` is not an array of strings.
 */
export function readIds(ids: readonly string[]): string[] {
  if (!Array.isArray(ids)) throw invalid('ids', 'ids must be an array of strings');
  const unique = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string') throw invalid('ids', 'ids must be an array of strings');
    if (!UNSTORABLE.test(id)) unique.add(id);
  }
  return [...unique];
}
