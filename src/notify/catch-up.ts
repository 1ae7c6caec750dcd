/**
 * Catching up after the channel layer lost pushes. The layer is at most once: while Redis is unreachable,
 * or while a process's subscriber connection is being re-established, pushes are lost, and a connected
 * client would miss a stored notification (or keep a stale unread count) until its next live notification
 * revealed the gap, or until it reconnected. Two triggers make the connections concerned fill the gap from
 * the inbox without waiting for either:
 * - the receiving side: when this process's layer is back (`degraded` -> `ready`), every local connection
 *   is sent a catch-up event, in batches, so that the inbox is not queried by every connection at once;
 * - the sending side: a publisher whose push failed remembers the user, and once its layer is ready it sends
 *   a catch-up event to the user's group, which reaches the user's connections on every process.
 * A connection handles a catch-up like a live event (in order with the others): it reads the user's counts
 * and sends only what it has not sent, then the count if it changed. Nothing is sent twice, so a recovery
 * costs one count query per connection and no redelivery.
 */
import type { ChannelLayer, LayerMessage } from '../layer/index.js';
import type { Logger } from '../log/index.js';
import { userGroup } from './events.js';

/** Ask a connection to fill its gap from the inbox. `user` limits it to that user's connections. */
export interface CatchUpEvent extends LayerMessage {
  readonly type: 'tidings.catchup';
  readonly user?: string;
}

/** Connections sent a catch-up per batch after a recovery, and the pause between batches. */
const RECOVERY_BATCH = 500;
const RECOVERY_PAUSE_MS = 50;
/** Users remembered by a publisher whose pushes failed; beyond it their tabs catch up at their next event. */
const MAX_UNSYNCED = 100_000;
/** Catch-up events a publisher sends at once. */
const RESYNC_CHUNK = 200;
/** A push that failed while the layer still says `ready` (a timeout): try the catch-up this much later. */
const RESYNC_RETRY_MS = 1000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Whether `listener` should run: the layer came back from `degraded`. */
function recovered(state: string, previous: string): boolean {
  return state === 'ready' && previous === 'degraded';
}

/**
 * After each recovery of `layer`, send a catch-up event to the channel of every open local connection
 * (`connections()` is read at that moment), {@link RECOVERY_BATCH} at a time. A full channel is skipped: it
 * has events queued, which fill the gap the same way. Returns a function that stops watching.
 */
export function catchUpAfterRecovery(layer: ChannelLayer, connections: () => Iterable<{ readonly channelName: string }>, log: Logger): () => void {
  const event: CatchUpEvent = { type: 'tidings.catchup' };
  const run = async () => {
    // Connections still in connect() are included: the event waits in their queue until connect() is done.
    const channels = [...connections()].filter((c) => c.channelName !== '').map((c) => c.channelName);
    log.info({ connections: channels.length }, 'channel layer recovered; connections catch up from the inbox');
    for (let i = 0; i < channels.length; i += RECOVERY_BATCH) {
      if (i > 0) await pause(RECOVERY_PAUSE_MS);
      if (layer.state !== 'ready') return; // down again: the next recovery starts over
      await Promise.all(channels.slice(i, i + RECOVERY_BATCH).map((c) => layer.send(c, event).catch(() => undefined)));
    }
  };
  return (
    layer.onStateChange?.((state, previous) => {
      if (recovered(state, previous)) void run();
    }) ?? (() => undefined)
  );
}

/** What a publisher keeps about users whose pushes failed. */
export interface ResyncTracker {
  /** A push to `userId` failed: catch that user's connections up once the layer can carry it. */
  failed(userId: string): void;
  /** Users waiting for a catch-up. */
  readonly pending: number;
}

/** A {@link ResyncTracker} over `layer` (see the module comment). */
export function createResyncTracker(layer: ChannelLayer, log: Logger): ResyncTracker {
  const users = new Set<string>();
  let running = false;
  let retry: NodeJS.Timeout | null = null;
  let warned = false;

  async function resync(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (users.size > 0 && layer.state === 'ready') {
        const chunk = [...users].slice(0, RESYNC_CHUNK);
        for (const user of chunk) users.delete(user);
        const event = (user: string): CatchUpEvent => ({ type: 'tidings.catchup', user });
        const results = await Promise.allSettled(chunk.map((user) => layer.groupSend(userGroup(user), event(user))));
        results.forEach((r, i) => r.status === 'rejected' && users.add(chunk[i] as string));
        if (results.some((r) => r.status === 'rejected')) break;
      }
    } finally {
      running = false;
    }
    if (users.size > 0) schedule();
  }

  function schedule(): void {
    if (retry || layer.state !== 'ready') return;
    retry = setTimeout(() => {
      retry = null;
      void resync();
    }, RESYNC_RETRY_MS);
    retry.unref();
  }

  layer.onStateChange?.((state, previous) => {
    if (recovered(state, previous)) void resync();
  });
  return {
    failed(userId) {
      if (users.size >= MAX_UNSYNCED && !users.has(userId)) {
        if (!warned) log.warn({ max: MAX_UNSYNCED }, 'too many users to catch up; the rest catch up at their next notification');
        warned = true;
        return;
      }
      users.add(userId);
      schedule();
    },
    get pending() {
      return users.size;
    },
  };
}
