/** What every `/inform/` connection of an app shares, and its settings. */
import type { TokenVerifier } from '../auth/index.js';
import type { InboxStore } from '../inbox/index.js';
import type { ChannelLayer } from '../layer/index.js';
import type { Logger } from '../log/index.js';
import { CloseCode } from '../protocol/close-codes.js';
import { ExpiryWheel } from './expiry-wheel.js';
import type { NotificationConsumer } from './notification-consumer.js';
import type { ConnectionObserver } from './observer.js';
import type { Publisher } from './publisher.js';
import type { Slots } from './slots.js';

export interface NotificationSettings {
  pingInterval: number;
  /** Most notifications sent by one replay or gap fill; beyond it the client is told to reload (recovered:false). */
  replayLimit: number;
  messageRate: number;
  maxConnectionsPerUser: number;
  /** Accept connections without a user (site-wide messages only); otherwise close them at once with 4501. */
  allowAnonymous: boolean;
}

/** What every `/inform/` connection shares. */
export interface NotificationDeps {
  inbox: InboxStore;
  publisher: Publisher;
  verifier: TokenVerifier | null;
  settings: NotificationSettings;
  /**
   * The channel layer, when the app should catch every local connection up from the inbox after the layer
   * recovers from an outage (pushes were lost meanwhile; see catch-up.ts).
   */
  layer?: ChannelLayer;
  /** Open connections of this process (kept by `notificationApp`). */
  live?: Set<NotificationConsumer>;
  /** Told when a user's connections open, close, change visibility and deliver (presence, escalation). */
  observer?: ConnectionObserver;
  /**
   * Open connections per user (made by `notificationApp`, which takes a user's slot before the connection
   * starts; the connection gives it back once, on disconnect).
   */
  slots?: Slots;
  /** Token expiries of this app's connections (made by `notificationApp`; one timer for all). */
  expiries?: ExpiryWheel<NotificationConsumer>;
  log?: Logger;
}

/** Every connection's token expiry on one timer (one wheel per app): closed with 4501 when it comes. */
export function tokenExpiries(): ExpiryWheel<NotificationConsumer> {
  return new ExpiryWheel<NotificationConsumer>((c) => c.close(CloseCode.UNAUTHORIZED, 'token expired'));
}
