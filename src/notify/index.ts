export { NOTIFICATION_EVENT, SITE_GROUP, userGroup, preparedFor, type NotificationEvent, type BroadcastEvent, type UnreadEvent } from './events.js';
export { createPublisher, notificationFrame, type Publisher, type PublisherDeps, type Published } from './publisher.js';
export { NotificationConsumer } from './notification-consumer.js';
export { tokenExpiries, type NotificationDeps, type NotificationSettings } from './notification-deps.js';
export { notificationApp } from './notification-app.js';
export { NotifyInput, BroadcastInput, ReadInput, UnreadInput, ArchiveInput, parseInput } from './schemas.js';
export { StreamCursor, isOlder, rangeSize, rowsIn, type CountVersion, type SeqRange } from './stream-cursor.js';
export type { ConnectionObserver, ObservedConnection } from './observer.js';
export { PollWaiters, longPoll, type LongPollDeps, type PollLimits, type PollRequest, type PollResult } from './long-poll.js';
