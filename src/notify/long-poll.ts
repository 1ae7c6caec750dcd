/**
 * Long polling, for networks that block WebSocket: wait until the user has a notification after `since`
 * (or the wait ends, or the client goes away), then answer with what is stored. The user's group is joined
 * before the inbox is read, so nothing committed in between is missed. Waiting polls are limited per user
 * and per client address, like open sockets ({@link PollWaiters}). The HTTP route is `GET /v1/me/poll`.
 */
import { TidingsError } from '../errors.js';
import type { InboxStore, Notification } from '../inbox/index.js';
import type { ChannelLayer } from '../layer/index.js';
import { NOTIFICATION_EVENT, userGroup } from './events.js';
import { Slots } from './slots.js';

/** Most notifications in one answer; the client polls again from the last seq. */
const POLL_PAGE = 100;

/** Long polls waiting right now, per user and per client address, with their limits. */
export class PollWaiters {
  readonly #byUser = new Slots();
  readonly #byIp = new Slots();
  #total = 0;

  /** Waiting long polls in this process. */
  get total(): number {
    return this.#total;
  }

  /** Count one more waiter, or throw TOO_MANY_CONNECTIONS (429) over a limit. Returns its release. */
  enter(user: string, ip: string, limits: PollLimits): () => void {
    if (!this.#byUser.take(user, limits.perUser)) throw new TidingsError('TOO_MANY_CONNECTIONS', 'too many long polls for this user');
    if (!this.#byIp.take(ip, limits.perIp > 0 ? limits.perIp : Infinity)) {
      this.#byUser.release(user);
      throw new TidingsError('TOO_MANY_CONNECTIONS', 'too many long polls from this address');
    }
    this.#total++;
    return () => {
      this.#total--;
      this.#byUser.release(user);
      this.#byIp.release(ip);
    };
  }
}

/** Waiting long polls allowed per user and per client address (0: no limit on addresses). */
export interface PollLimits {
  perUser: number;
  perIp: number;
}

/** What long polls share. */
export interface LongPollDeps {
  inbox: InboxStore;
  layer: ChannelLayer;
  waiters: PollWaiters;
  limits: PollLimits;
}

/** One poll: whose, from where, after which seq, for how long; `signal` aborts when the client goes away. */
export interface PollRequest {
  user: string;
  ip: string;
  since: number;
  waitSeconds: number;
  signal: AbortSignal;
}

/** The answer: notifications after `since` (oldest first, at most 100), the user's seq and unread count. */
export interface PollResult {
  items: Notification[];
  seq: number;
  unread: number;
}

/** Wakes on the user's next notification, the timeout or the abort, whichever comes first. */
async function listen(layer: ChannelLayer, group: string, signal: AbortSignal): Promise<{ wait(seconds: number): Promise<void>; close(): void }> {
  const channel = layer.newChannel('poll');
  let wake: () => void = () => {};
  let woken = false;
  const stop = layer.receive(channel, (event) => {
    if (event.type !== NOTIFICATION_EVENT) return;
    woken = true;
    wake();
  });
  await layer.groupAdd(group, channel);
  return {
    wait: (seconds) =>
      new Promise<void>((resolve) => {
        // The client may already be gone (it left while the inbox was read).
        if (woken || signal.aborted) return resolve();
        const timer = setTimeout(() => wake(), seconds * 1000);
        signal.addEventListener('abort', () => wake(), { once: true });
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    close: () => {
      stop();
      layer.groupDiscard(group, channel).catch(() => {});
    },
  };
}

/**
 * Answer one long poll.
 * @throws TidingsError TOO_MANY_CONNECTIONS over a limit; what the layer or the inbox throws.
 */
export async function longPoll(deps: LongPollDeps, request: PollRequest): Promise<PollResult> {
  const { inbox } = deps;
  const release = deps.waiters.enter(request.user, request.ip, deps.limits);
  try {
    const sub = await listen(deps.layer, userGroup(request.user), request.signal);
    try {
      let items = await inbox.since(request.user, request.since, POLL_PAGE);
      if (items.length === 0 && request.waitSeconds > 0) {
        await sub.wait(request.waitSeconds);
        items = await inbox.since(request.user, request.since, POLL_PAGE);
      }
      const counts = await inbox.counts(request.user);
      return { items, seq: counts.seq, unread: counts.unread };
    } finally {
      sub.close();
    }
  } finally {
    release();
  }
}
