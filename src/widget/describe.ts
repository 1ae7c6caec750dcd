/**
 * Human-readable text for a notification, from its kind and data. Pure strings: the caller puts them in the
 * page with textContent, so whatever a payload holds (markup, scripts) stays inert text.
 */

/** What the bell shows for one item. */
export interface Description {
  /** Who caused it (for the avatar initial); empty when unknown. */
  actor: string;
  /** One line: "bob commented on your article “Hello”". */
  text: string;
  /** An optional excerpt shown under the line (the comment's text, the announcement). */
  detail: string;
}

const MAX_CHARS = 160;

/** A string field of `data`, trimmed to {@link MAX_CHARS}, or '' when absent or not a string/number. */
function field(data: Record<string, unknown>, ...names: string[]): string {
  for (const name of names) {
    const value = data[name];
    if (typeof value === 'string' && value.trim() !== '') {
      const text = value.trim().replace(/\s+/g, ' ');
      return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text;
    }
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return '';
}

const quoted = (title: string, prefix: string): string => (title ? `${prefix} “${title}”` : '');

/** Known kinds: comment, reply, follow, mention, like, announcement; anything else gets a generic line. */
export function describeNotification(kind: string, data: Record<string, unknown>): Description {
  // `trigger_username` and `username` are the field names of the Django original.
  const actor = field(data, 'from', 'actor', 'trigger_username', 'username');
  const who = actor || 'Someone';
  const article = field(data, 'article', 'title', 'subject');
  const detail = field(data, 'text', 'message', 'body', 'excerpt');
  switch (kind) {
    case 'comment':
      return { actor, text: `${who} commented${quoted(article, ' on your article') || ' on your article'}`, detail };
    case 'reply':
      return { actor, text: `${who} replied to your comment${quoted(article, ' on')}`, detail };
    case 'follow':
      return { actor, text: `${who} started following you`, detail };
    case 'mention':
      return { actor, text: `${who} mentioned you${quoted(article, ' in')}`, detail };
    case 'like':
      return { actor, text: `${who} liked ${quoted(article, 'your post') || 'your post'}`, detail };
    case 'announcement':
      return { actor, text: actor ? `Announcement from ${actor}` : 'Announcement', detail };
    default: {
      const label = field({ kind }, 'kind').replace(/[_-]+/g, ' ') || 'notification';
      return { actor, text: actor ? `${actor}: new ${label}` : `New ${label}`, detail: detail || article };
    }
  }
}

/** "5 min. ago", "yesterday"… in the page's language; '' for an invalid date. */
export function relativeTime(iso: string, now = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((then - now) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [['second', 60], ['minute', 60], ['hour', 24], ['day', 7], ['week', 4.35], ['month', 12], ['year', Infinity]];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) {
      if (unit === 'second' && Math.abs(value) < 45) return 'just now';
      return new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' }).format(Math.round(value), unit);
    }
    value /= size;
  }
  return '';
}
