/**
 * Site-wide messages (broadcasts) are not stored by the server, so a reload would lose them from the list.
 * The bell keeps the last few it received in `localStorage` (they are public, the same for every user) and
 * shows them again after a reload, for {@link MAX_AGE_MS}.
 */
import type { TidingsBroadcast, TidingsClient } from '../client/index.js';
import type { ListItem } from './item.js';

const KEEP = 10;
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined; // storage disabled (privacy settings, sandboxed frame)
  }
}

function isBroadcast(value: unknown): value is TidingsBroadcast {
  const b = value as Partial<TidingsBroadcast> | null;
  return !!b && typeof b.id === 'string' && typeof b.kind === 'string' && typeof b.createdAt === 'string' && typeof b.data === 'object' && b.data !== null;
}

/** The kept broadcasts of `key` (oldest first), dropping old or malformed entries. */
export function recentBroadcasts(key: string, now = Date.now()): TidingsBroadcast[] {
  try {
    const parsed = JSON.parse(storage()?.getItem(key) ?? '[]') as unknown;
    return (Array.isArray(parsed) ? parsed : []).filter(isBroadcast).filter((b) => now - Date.parse(b.createdAt) < MAX_AGE_MS);
  } catch {
    return [];
  }
}

/** Keeps `b` (once per id), the newest {@link KEEP} only. */
export function keepBroadcast(key: string, b: TidingsBroadcast): void {
  const kept = recentBroadcasts(key).filter((old) => old.id !== b.id);
  kept.push({ id: b.id, kind: b.kind, data: b.data, createdAt: b.createdAt });
  try {
    storage()?.setItem(key, JSON.stringify(kept.slice(-KEEP)));
  } catch {
    // Full or disabled: the list simply forgets it on reload, as before.
  }
}

/** A broadcast as a list row (never stored, so never unread). */
export const broadcastItem = (b: TidingsBroadcast): ListItem => ({ ...b, id: `b:${b.id}`, seq: 0, readAt: null, broadcast: true });

/**
 * Shows `client`'s broadcasts in `view` (on the All tab) and keeps them under `key`; returns a function that
 * shows the kept ones again (after a reload, a reset or a switch of tab).
 */
export function keptBroadcasts(client: TidingsClient, view: { readonly filtered: boolean; prepend(item: ListItem): void }, key: string): () => void {
  const showKept = (): void => {
    if (!view.filtered) for (const b of recentBroadcasts(key)) view.prepend(broadcastItem(b));
  };
  showKept();
  client.on('broadcast', (b) => {
    keepBroadcast(key, b);
    if (!view.filtered) view.prepend(broadcastItem(b));
  });
  return showKept;
}
