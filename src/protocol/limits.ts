/**
 * The size limits of what clients and publishers send, in one table: the zod schemas (HTTP API, SDK, CLI,
 * `/inform/` frames), the inbox's own checks, the list routes and the JWT `sub` check all read these, so
 * they cannot drift apart. Lengths are in UTF-16 code units (JavaScript string length). README.md's "Limits"
 * table documents them.
 */

/** Longest user id (a publish's `to`, a token's `sub`, a path's `:id`). */
export const MAX_USER_ID_LENGTH = 128;
/** Longest notification id in a read, mark-unread or archive request. */
export const MAX_NOTIFICATION_ID_LENGTH = 128;
/** Most notification ids in one read, mark-unread or archive request (HTTP or frame). */
export const MAX_IDS_PER_REQUEST = 1000;
/** Most recipients of one publish request. */
export const MAX_RECIPIENTS = 1000;
/** Longest `kind` (letters, digits and `_ . : -`). */
export const MAX_KIND_LENGTH = 64;
/** `kind`'s characters. */
export const KIND_PATTERN = /^[A-Za-z0-9_.:-]+$/;
/** Longest `dedupeKey`. */
export const MAX_DEDUPE_KEY_LENGTH = 256;
/** Longest `data`, measured as the length of its JSON text. */
export const MAX_DATA_LENGTH = 65_536;
/** Longest token in a `refresh` frame. */
export const MAX_TOKEN_LENGTH = 8192;
/** Page size of a list when none is given. */
export const DEFAULT_LIST_LIMIT = 20;
/** Largest page of a list; larger limits are lowered to this. */
export const MAX_LIST_LIMIT = 100;
/** Largest `limit` of a read `since` a seq (larger is refused, never silently cut: a replay must not skip rows). */
export const MAX_SINCE_LIMIT = 1000;
