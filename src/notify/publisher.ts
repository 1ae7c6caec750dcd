/**
 * The publisher: the one way notifications enter Tidings (SDK, HTTP API, CLI and the demo all call it).
 * Rule: the inbox write is committed BEFORE anything is pushed, and nothing is acknowledged that was not
 * stored. A push that fails after the commit is logged, not raised: the user's connections catch up from
 * the inbox once the layer can carry a catch-up event again (see catch-up.ts), or replay when they reconnect. Broadcasts are not stored; they fail with LAYER_UNAVAILABLE if the layer cannot carry them.
 */
import { randomUUID } from 'node:crypto';
import { TidingsError } from '../errors.js';
import type { AddResult, InboxStore, Notification } from '../inbox/index.js';
import type { ChannelLayer } from '../layer/index.js';
import type { Logger } from '../log/index.js';
import type { Metrics } from '../metrics/index.js';
import type { BroadcastFrame, NotificationFrame, UnreadFrame } from '../protocol/frames.js';
import { createResyncTracker } from './catch-up.js';
import { NOTIFICATION_EVENT, SITE_GROUP, userGroup, type BroadcastEvent, type NotificationEvent, type UnreadEvent } from './events.js';
import { BroadcastInput, NotifyInput, parseInput } from './schemas.js';

/** A notification as returned to publishers: the stored row, its unread count, and whether it is new. */
export interface Published {
  notification: Notification;
  unread: number;
  created: boolean;
}

export interface Publisher {
  /** Store for each recipient (committed), then push to each recipient's tabs. @throws INVALID_BODY, INBOX_UNAVAILABLE */
  notify(input: NotifyInput): Promise<Published[]>;
  /** Push a site-wide message to everyone online (not stored). @throws INVALID_BODY, LAYER_UNAVAILABLE */
  broadcast(input: BroadcastInput): Promise<BroadcastFrame>;
  /** Mark some of a user's notifications read; every tab gets the new count. Returns the unread count. */
  markRead(userId: string, ids: readonly string[]): Promise<number>;
  /** Mark all of a user's notifications read; every tab gets the new count. Returns 0. */
  markAllRead(userId: string): Promise<number>;
  /** Show read notifications unread again; every tab gets the new count. Returns the unread count. */
  markUnread(userId: string, ids: readonly string[]): Promise<number>;
  /** Archive notifications (an unread one counts as read); every tab gets the new count. Returns it. */
  archive(userId: string, ids: readonly string[]): Promise<number>;
  /** Archive every read notification of the user. Returns the unread count (unchanged). */
  archiveRead(userId: string): Promise<number>;
}

export interface PublisherDeps {
  inbox: InboxStore;
  layer: ChannelLayer;
  log: Logger;
  metrics?: Metrics | undefined;
}

/** The wire frame of a stored notification. */
export function notificationFrame(n: Notification, unread: number): NotificationFrame {
  return { type: 'notification', id: n.id, seq: n.seq, kind: n.kind, data: n.data, createdAt: n.createdAt, unread };
}

/**
 * The JSON of a broadcast frame. @throws TidingsError INVALID_BODY when its data cannot be serialised
 * (nested too deep for JSON.stringify, which throws RangeError), the same answer notify gives.
 */
function encodeBroadcast(frame: BroadcastFrame): string {
  try {
    return JSON.stringify(frame);
  } catch (err) {
    throw new TidingsError('INVALID_BODY', 'data cannot be serialised as JSON', { details: { field: 'data' }, cause: err });
  }
}

export function createPublisher(deps: PublisherDeps): Publisher {
  const { inbox, layer, log, metrics } = deps;
  // Read-state changes of one user run one after another in this process. Across processes (and against
  // concurrent adds) the pushed counts carry the user's seq, which lets each connection drop a late one.
  const userChains = new Map<string, Promise<unknown>>();
  const resync = createResyncTracker(layer, log);

  function serial<T>(userId: string, task: () => Promise<T>): Promise<T> {
    const prev = userChains.get(userId) ?? Promise.resolve();
    const next = prev.then(task, task);
    userChains.set(userId, next);
    const clear = () => {
      if (userChains.get(userId) === next) userChains.delete(userId);
    };
    next.then(clear, clear);
    return next;
  }

  async function push(group: string, event: NotificationEvent | BroadcastEvent | UnreadEvent): Promise<void> {
    metrics?.groupSends.inc();
    await layer.groupSend(group, event);
  }

  function pushStored(r: AddResult): Promise<void> {
    const n = r.notification;
    const text = JSON.stringify(notificationFrame(n, r.unread));
    const event: NotificationEvent = { type: NOTIFICATION_EVENT, user: n.userId, seq: n.seq, unread: r.unread, text };
    return push(userGroup(n.userId), event).catch((err: unknown) => {
      log.warn({ err, user: n.userId, seq: n.seq }, 'push after commit failed; the client will catch up');
      resync.failed(n.userId);
    });
  }

  /** Read the user's count (with its seq, which orders counts) and push it to every tab of the user. */
  async function pushUnread(userId: string): Promise<number> {
    const { unread: count, seq, rev } = await inbox.counts(userId);
    const frame: UnreadFrame = { type: 'unread', count };
    const event: UnreadEvent = { type: 'tidings.unread', user: userId, count, seq, rev, text: JSON.stringify(frame) };
    await push(userGroup(userId), event).catch((err: unknown) => {
      log.warn({ err, user: userId }, 'unread push failed');
      resync.failed(userId);
    });
    return count;
  }

  return {
    async notify(input) {
      const started = performance.now();
      const p = parseInput(NotifyInput, input);
      const recipients = Array.isArray(p.to) ? p.to : [p.to];
      const news = recipients.map((userId) => ({ userId, kind: p.kind, data: p.data, dedupeKey: p.dedupeKey }));
      const results = news.length === 1 ? [await inbox.add(news[0] as (typeof news)[0])] : await inbox.addMany(news);
      metrics?.inboxWriteLatency.observe((performance.now() - started) / 1000);
      await Promise.all(results.filter((r) => r.created).map(pushStored));
      metrics?.published.inc({ type: 'notification' }, results.length);
      metrics?.publishLatency.observe((performance.now() - started) / 1000);
      return results.map((r) => ({ notification: r.notification, unread: r.unread, created: r.created }));
    },

    async broadcast(input) {
      const p = parseInput(BroadcastInput, input);
      const frame: BroadcastFrame = { type: 'broadcast', id: randomUUID(), kind: p.kind, data: p.data, createdAt: new Date().toISOString() };
      await push(SITE_GROUP, { type: 'tidings.broadcast', text: encodeBroadcast(frame) });
      metrics?.published.inc({ type: 'broadcast' });
      return frame;
    },

    markRead(userId, ids) {
      return serial(userId, async () => {
        await inbox.markRead(userId, ids);
        return pushUnread(userId);
      });
    },

    markAllRead(userId) {
      return serial(userId, async () => {
        await inbox.markAllRead(userId);
        return pushUnread(userId);
      });
    },

    markUnread(userId, ids) {
      return serial(userId, async () => {
        await inbox.markUnread(userId, ids);
        return pushUnread(userId);
      });
    },

    archive(userId, ids) {
      return serial(userId, async () => {
        await inbox.archive(userId, ids);
        return pushUnread(userId);
      });
    },

    archiveRead(userId) {
      return serial(userId, async () => {
        await inbox.archiveRead(userId);
        return (await inbox.counts(userId)).unread;
      });
    },
  };
}
