/**
 * Human-readable text for a notification, from its kind and data, in the bell's language; and where it leads
 * (`data.url`, or a per-kind href template). Pure strings: the caller puts them in the page with
 * textContent, so whatever a payload holds (markup, scripts) stays inert text.
 */
import type { ListItem } from './item.js';
import { EN, type BellStrings } from './strings.js';

/** What the bell shows for one item. */
export interface Description {
  /** Who caused it (for the avatar initial); empty when unknown. */
  actor: string;
  /** One line: "bob commented on your article “Hello”". */
  text: string;
  /** An optional excerpt shown under the line (the comment's text, the announcement). */
  detail: string;
  /** Where the item leads (an http(s) or relative URL); absent: the item is a button, not a link. */
  href?: string;
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

/**
 * `url` if it is safe to put in an `href`: relative, or absolute http(s). `javascript:`, `data:` and the
 * like are refused (undefined), so a payload cannot run script through a link.
 */
export function safeHref(url: string, base = 'http://localhost/'): string | undefined {
  const trimmed = url.trim();
  if (trimmed === '') return undefined;
  try {
    const parsed = new URL(trimmed, base);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? trimmed : undefined;
  } catch {
    return undefined;
  }
}

/** Fills `{name}` placeholders of a template from `data` (URL-encoded); undefined if one is missing. */
export function fillHref(template: string, data: Record<string, unknown>): string | undefined {
  let missing = false;
  const url = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = data[name];
    if (typeof value !== 'string' && typeof value !== 'number') {
      missing = true;
      return '';
    }
    return encodeURIComponent(String(value));
  });
  return missing ? undefined : safeHref(url);
}

/** Where an item leads: its `data.url`, else the template for its kind. */
export function hrefOf(kind: string, data: Record<string, unknown>, templates: Readonly<Record<string, string>> = {}): string | undefined {
  const own = typeof data.url === 'string' ? safeHref(data.url) : undefined;
  if (own) return own;
  const template = templates[kind];
  return template ? fillHref(template, data) : undefined;
}

/** Known kinds (comment, reply, follow, mention, like, announcement, or any in `strings.kinds`); others get a generic line. */
export function describeNotification(kind: string, data: Record<string, unknown>, strings: BellStrings = EN): Description {
  // `trigger_username` and `username` are the field names of the Django original.
  const actor = field(data, 'from', 'actor', 'trigger_username', 'username');
  const title = field(data, 'article', 'title', 'subject');
  const detail = field(data, 'text', 'message', 'body', 'excerpt');
  const sentence = Object.prototype.hasOwnProperty.call(strings.kinds, kind) ? strings.kinds[kind] : undefined;
  if (sentence) return { actor, text: sentence({ actor: actor || strings.someone, title, named: actor !== '' }), detail };
  const label = field({ kind }, 'kind').replace(/[_-]+/g, ' ') || 'notification';
  return { actor, text: strings.generic(label, actor), detail: detail || title };
}

/** "5 min. ago", "yesterday"… in `locale` (the page's language); '' for an invalid date. */
export function relativeTime(iso: string, now = Date.now(), locale?: string, justNow = EN.justNow): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((then - now) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [['second', 60], ['minute', 60], ['hour', 24], ['day', 7], ['week', 4.35], ['month', 12], ['year', Infinity]];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) {
      if (unit === 'second' && Math.abs(value) < 45) return justNow;
      return new Intl.RelativeTimeFormat(locale || undefined, { numeric: 'auto', style: 'short' }).format(Math.round(value), unit);
    }
    value /= size;
  }
  return '';
}

/**
 * Describes an item its own way (custom kinds, richer text). Return what to change ({@link Description}
 * fields; text only, never HTML) or undefined for the built-in description.
 */
export type RenderHook = (item: ListItem, builtIn: Description, strings: BellStrings) => Partial<Description> | undefined;

/** The built-in description (strings table, `data.url` / href templates), then the `render` hook's changes. */
export function describeItem(item: ListItem, strings: BellStrings, hrefs: Readonly<Record<string, string>>, hook?: RenderHook): Description {
  const builtIn: Description = { ...describeNotification(item.kind, item.data, strings) };
  const href = hrefOf(item.kind, item.data, hrefs);
  if (href) builtIn.href = href;
  const custom = hook?.(item, builtIn, strings);
  if (!custom) return builtIn;
  const merged = { ...builtIn, ...custom };
  // A hook's link goes through the same check as data.url.
  const safe = merged.href === undefined ? undefined : safeHref(merged.href);
  if (safe) merged.href = safe;
  else delete merged.href;
  return merged;
}
