/**
 * Every word the bell shows, in one table per language: English built in, German to prove the table, and
 * any other language (or wording) through the element's `strings` property. The language is the `lang` of
 * the bell or its nearest ancestor (usually `<html lang>`), so dates and words follow the page, not the
 * browser.
 */

/** What a notification's data offers a sentence: who did it, and what it was about (both may be ''). */
export interface Subject {
  /** Who did it, or the language's "Someone". */
  actor: string;
  title: string;
  /** Whether the data named the actor. */
  named: boolean;
}

/** The bell's strings. Functions build sentences whose grammar depends on their parts. */
export interface BellStrings {
  title: string;
  markAll: string;
  markRead: string;
  markReadOf(text: string): string;
  markUnread: string;
  markUnreadOf(text: string): string;
  archive: string;
  archiveOf(text: string): string;
  archiveRead: string;
  actionFailed: string;
  tabs: string;
  tabUnread: string;
  tabAll: string;
  emptyUnread: string;
  unreadPrefix: string;
  empty: string;
  loading: string;
  end: string;
  loadFailed: string;
  retry: string;
  retryNow: string;
  connecting: string;
  reconnecting: string;
  signIn: string;
  serverError: string;
  markFailed: string;
  /** Announced (live region) when the connection drops, and when it is back. */
  lost: string;
  back: string;
  /** The bell button's accessible name: "Notifications, 3 unread, reconnecting". */
  bellName(count: number, state: string): string;
  badge(count: number): string;
  justNow: string;
  someone: string;
  /** Sentences for known kinds; other kinds use `generic`. */
  kinds: Record<string, (s: Subject) => string>;
  generic(kind: string, actor: string): string;
}

const q = (title: string): string => `“${title}”`;

export const EN: BellStrings = {
  title: 'Notifications',
  markAll: 'Mark all as read',
  markRead: 'Mark as read',
  markReadOf: (text) => `Mark as read: ${text}`,
  markUnread: 'Mark as unread',
  markUnreadOf: (text) => `Mark as unread: ${text}`,
  archive: 'Archive',
  archiveOf: (text) => `Archive: ${text}`,
  archiveRead: 'Archive all read',
  actionFailed: "Couldn't change that. Try again.",
  tabs: 'Show',
  tabUnread: 'Unread',
  tabAll: 'All',
  emptyUnread: 'No unread notifications',
  unreadPrefix: 'Unread: ',
  empty: "You're all caught up",
  loading: 'Loading…',
  end: 'No older notifications',
  loadFailed: "Couldn't load notifications.",
  retry: 'Retry',
  retryNow: 'Retry now',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  signIn: 'Sign-in needed to see your notifications.',
  serverError: 'Server error: notifications are unavailable.',
  markFailed: "Couldn't mark as read. Try again.",
  lost: 'Notifications: connection lost.',
  back: 'Notifications: connected again.',
  bellName: (count, state) => `Notifications${count ? `, ${count} unread` : ''}${state ? `, ${state}` : ''}`,
  badge: (count) => `${count} unread notification${count === 1 ? '' : 's'}`,
  justNow: 'just now',
  someone: 'Someone',
  kinds: {
    comment: ({ actor, title }) => `${actor} commented on your article${title ? ` ${q(title)}` : ''}`,
    reply: ({ actor, title }) => `${actor} replied to your comment${title ? ` on ${q(title)}` : ''}`,
    follow: ({ actor }) => `${actor} started following you`,
    mention: ({ actor, title }) => `${actor} mentioned you${title ? ` in ${q(title)}` : ''}`,
    like: ({ actor, title }) => `${actor} liked ${title ? `your post ${q(title)}` : 'your post'}`,
    announcement: ({ actor, named }) => (named ? `Announcement from ${actor}` : 'Announcement'),
  },
  generic: (kind, actor) => (actor ? `${actor}: new ${kind}` : `New ${kind}`),
};

export const DE: BellStrings = {
  title: 'Benachrichtigungen',
  markAll: 'Alle als gelesen markieren',
  markRead: 'Als gelesen markieren',
  markReadOf: (text) => `Als gelesen markieren: ${text}`,
  markUnread: 'Als ungelesen markieren',
  markUnreadOf: (text) => `Als ungelesen markieren: ${text}`,
  archive: 'Archivieren',
  archiveOf: (text) => `Archivieren: ${text}`,
  archiveRead: 'Alle gelesenen archivieren',
  actionFailed: 'Das hat nicht geklappt. Bitte erneut versuchen.',
  tabs: 'Anzeigen',
  tabUnread: 'Ungelesen',
  tabAll: 'Alle',
  emptyUnread: 'Keine ungelesenen Benachrichtigungen',
  unreadPrefix: 'Ungelesen: ',
  empty: 'Alles gelesen',
  loading: 'Wird geladen…',
  end: 'Keine älteren Benachrichtigungen',
  loadFailed: 'Benachrichtigungen konnten nicht geladen werden.',
  retry: 'Erneut versuchen',
  retryNow: 'Jetzt verbinden',
  connecting: 'Verbinden…',
  reconnecting: 'Verbindung wird wiederhergestellt…',
  signIn: 'Bitte anmelden, um Benachrichtigungen zu sehen.',
  serverError: 'Serverfehler: Benachrichtigungen sind nicht verfügbar.',
  markFailed: 'Konnte nicht als gelesen markiert werden. Bitte erneut versuchen.',
  lost: 'Benachrichtigungen: Verbindung unterbrochen.',
  back: 'Benachrichtigungen: wieder verbunden.',
  bellName: (count, state) => `Benachrichtigungen${count ? `, ${count} ungelesen` : ''}${state ? `, ${state}` : ''}`,
  badge: (count) => `${count} ungelesene Benachrichtigung${count === 1 ? '' : 'en'}`,
  justNow: 'gerade eben',
  someone: 'Jemand',
  kinds: {
    comment: ({ actor, title }) => `${actor} hat deinen Artikel${title ? ` ${q(title)}` : ''} kommentiert`,
    reply: ({ actor, title }) => `${actor} hat auf deinen Kommentar${title ? ` zu ${q(title)}` : ''} geantwortet`,
    follow: ({ actor }) => `${actor} folgt dir jetzt`,
    mention: ({ actor, title }) => `${actor} hat dich${title ? ` in ${q(title)}` : ''} erwähnt`,
    like: ({ actor, title }) => `${actor} gefällt ${title ? `dein Beitrag ${q(title)}` : 'dein Beitrag'}`,
    announcement: ({ actor, named }) => (named ? `Ankündigung von ${actor}` : 'Ankündigung'),
  },
  generic: (kind, actor) => (actor ? `${actor}: neue Benachrichtigung (${kind})` : `Neue Benachrichtigung (${kind})`),
};

/** Built-in languages by primary subtag. */
export const LANGUAGES: Readonly<Record<string, BellStrings>> = { en: EN, de: DE };

/** The strings for `lang` ("de-AT" -> German), English when unknown, with `overrides` on top. */
export function stringsFor(lang: string, overrides: Partial<BellStrings> = {}): BellStrings {
  const base = LANGUAGES[lang.toLowerCase().split('-')[0] ?? ''] ?? EN;
  return { ...base, ...overrides, kinds: { ...base.kinds, ...overrides.kinds } };
}
