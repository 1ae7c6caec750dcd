/**
 * Per-user, per-kind channel preferences. Precedence: a kind's value wins over the user-wide one, which wins
 * over the server default (on). Stored as given (only what the user set), shown with the user-wide channels
 * filled in.
 */
import { z } from 'zod';
import { TidingsError } from '../errors.js';

/** The channels a notification can escalate to. */
export const CHANNELS = ['push', 'email', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Most kinds with their own preferences per user. */
export const MAX_PREFERENCE_KINDS = 200;

const ChannelSwitches = z.strictObject({ push: z.boolean().optional(), email: z.boolean().optional(), webhook: z.boolean().optional() });

/** The body of `PUT …/preferences`: both parts optional; what is absent falls back to the next level. */
export const PreferencesInput = z.strictObject({
  channels: ChannelSwitches.optional(),
  kinds: z
    .record(z.string().min(1).max(64), ChannelSwitches)
    .refine((k) => Object.keys(k).length <= MAX_PREFERENCE_KINDS, { message: `at most ${MAX_PREFERENCE_KINDS} kinds` })
    .optional(),
});

/** Stored preferences: only what the user set. */
export interface StoredPreferences {
  channels: Partial<Record<Channel, boolean>>;
  kinds: Record<string, Partial<Record<Channel, boolean>>>;
}

/** What `GET …/preferences` answers: user-wide channels resolved against the default, kinds as set. */
export interface PreferencesView {
  channels: Record<Channel, boolean>;
  kinds: Record<string, Partial<Record<Channel, boolean>>>;
}

/** Nothing set: every channel on. */
export const NO_PREFERENCES: StoredPreferences = Object.freeze({ channels: {}, kinds: {} });

/**
 * Validate a request body.
 * @throws TidingsError INVALID_BODY with `details: [{path, message}]` for a bad shape.
 */
export function parsePreferences(body: unknown): StoredPreferences {
  const parsed = PreferencesInput.safeParse(body);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new TidingsError('INVALID_BODY', 'preferences must be {"channels": {push?, email?, webhook?: boolean}, "kinds": {"<kind>": {…}}}', { details });
  }
  const kinds: StoredPreferences['kinds'] = {};
  for (const [kind, v] of Object.entries(parsed.data.kinds ?? {})) kinds[kind] = compact(v);
  return { channels: compact(parsed.data.channels ?? {}), kinds };
}

function compact(v: Partial<Record<Channel, boolean | undefined>>): Partial<Record<Channel, boolean>> {
  const out: Partial<Record<Channel, boolean>> = {};
  for (const c of CHANNELS) if (typeof v[c] === 'boolean') out[c] = v[c];
  return out;
}

/** Whether `kind` may go to `channel` for a user with these preferences. */
export function allows(prefs: StoredPreferences, kind: string, channel: Channel): boolean {
  const byKind = Object.hasOwn(prefs.kinds, kind) ? prefs.kinds[kind]?.[channel] : undefined;
  return byKind ?? prefs.channels[channel] ?? true;
}

/** The view of stored preferences. */
export function viewOf(prefs: StoredPreferences): PreferencesView {
  const channels = { push: true, email: true, webhook: true };
  for (const c of CHANNELS) channels[c] = prefs.channels[c] ?? true;
  return { channels, kinds: prefs.kinds };
}
