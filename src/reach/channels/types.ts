/** What every escalation channel (webhook, email, Web Push) implements. */
import type { Channel } from '../preferences.js';
import type { DeliveryRecord, DueUser } from '../store.js';

/**
 * `sent`: delivered (stop). `failed`: try again later (until the retry window ends). `gone`: the target no
 * longer exists (a push subscription answered 404/410): stop, and the subscription has been removed.
 */
export type SendResult = 'sent' | 'failed' | 'gone';

/** One configured channel. */
export interface ChannelSender {
  readonly channel: Channel;
  /**
   * The payload of each delivery this channel makes for `user`'s due `items` (already filtered by the
   * user's preferences): none when the user cannot be reached on it (no address, no subscription).
   */
  targets(user: DueUser, items: DueUser['items']): DeliveryRecord['payload'][];
  /** One attempt. Never throws: a failure is `failed` (and logged). */
  send(delivery: DeliveryRecord): Promise<SendResult>;
}
