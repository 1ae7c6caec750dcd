/**
 * Email templates: one HTML fragment per notification kind, `<TIDINGS_TEMPLATES_DIR>/<kind>.html`, else
 * `default.html` there, else the built-in default. Placeholders `{{kind}}`, `{{createdAt}}`, `{{user}}` and
 * `{{data.x}}` (nested: `{{data.author.name}}`) are replaced by HTML-escaped text; a missing value is empty.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DigestItem } from '../store.js';

/** The built-in fragment: the kind, then each field of `data` that is text or a number. */
export const DEFAULT_TEMPLATE = '<p><strong>{{kind}}</strong> {{fields}}</p>';

const KIND_FILE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function lookup(item: DigestItem, user: string, path: string): string {
  if (path === 'kind') return item.kind;
  if (path === 'createdAt') return item.createdAt;
  if (path === 'user') return user;
  if (path === 'fields') return '';
  if (!path.startsWith('data.')) return '';
  let v: unknown = item.data;
  for (const key of path.slice(5).split('.')) {
    v = v !== null && typeof v === 'object' && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
  }
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function fields(item: DigestItem): string {
  return Object.entries(item.data)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
    .map(([k, v]) => `${escapeHtml(k)}: ${escapeHtml(String(v))}`)
    .join(', ');
}

/** Fill a template for one item. */
export function render(template: string, item: DigestItem, user: string): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (_m, path: string) => (path === 'fields' ? fields(item) : escapeHtml(lookup(item, user, path))));
}

/** Templates read from a directory (once per kind; a missing file falls back). */
export class Templates {
  readonly #cache = new Map<string, string>();

  constructor(private readonly dir: string | undefined) {}

  /** The fragment for `kind`. */
  forKind(kind: string): string {
    let t = this.#cache.get(kind);
    if (t === undefined) {
      t = (KIND_FILE.test(kind) ? this.#read(`${kind}.html`) : undefined) ?? this.#read('default.html') ?? DEFAULT_TEMPLATE;
      this.#cache.set(kind, t);
    }
    return t;
  }

  #read(name: string): string | undefined {
    if (!this.dir) return undefined;
    try {
      return readFileSync(join(this.dir, name), 'utf8');
    } catch {
      return undefined;
    }
  }
}
