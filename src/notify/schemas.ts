/**
 * Validation of what publishers send (HTTP API, SDK, CLI): one schema each, with field errors reported
 * as `details` of an INVALID_BODY error.
 */
import { z } from 'zod';
import { TidingsError } from '../errors.js';
import {
  KIND_PATTERN,
  MAX_DEDUPE_KEY_LENGTH,
  MAX_IDS_PER_REQUEST,
  MAX_KIND_LENGTH,
  MAX_NOTIFICATION_ID_LENGTH,
  MAX_RECIPIENTS,
  MAX_USER_ID_LENGTH,
} from '../protocol/limits.js';

const userId = z.string().min(1).max(MAX_USER_ID_LENGTH);
const kind = z.string().min(1).max(MAX_KIND_LENGTH).regex(KIND_PATTERN, 'kind may contain letters, digits and _ . : -');
const ids = z.array(z.string().min(1).max(MAX_NOTIFICATION_ID_LENGTH)).min(1).max(MAX_IDS_PER_REQUEST);
const data = z.record(z.string(), z.unknown()).default({});

export const NotifyInput = z.object({
  to: z.union([userId, z.array(userId).min(1).max(MAX_RECIPIENTS)]),
  kind,
  data,
  dedupeKey: z.string().min(1).max(MAX_DEDUPE_KEY_LENGTH).optional(),
});
export type NotifyInput = z.input<typeof NotifyInput>;

export const BroadcastInput = z.object({ kind, data });
export type BroadcastInput = z.input<typeof BroadcastInput>;

export const ReadInput = z.union([
  z.object({ ids: ids }),
  z.object({ all: z.literal(true) }),
]);

/** Body of `POST …/unread`: read notifications to show unread again. */
export const UnreadInput = z.object({ ids: ids });

/** Body of `POST …/archive`: these notifications, or every read one. */
export const ArchiveInput = z.union([
  z.object({ ids: ids }),
  z.object({ read: z.literal(true) }),
]);

/** Parse `value` with `schema`, or throw INVALID_BODY with the field errors. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new TidingsError('INVALID_BODY', `invalid input: ${details.map((d) => `${d.path || '(root)'}: ${d.message}`).join('; ')}`, { details });
}
