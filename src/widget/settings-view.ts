/**
 * The bell's settings: which channels may reach the user when a notification goes unseen (`GET`/`PUT
 * /v1/me/preferences`), and "Enable desktop notifications" when the server has Web Push configured
 * (`GET /v1/push/public-key`): it registers the service worker (`sw-url` attribute, default
 * `/tidings-sw.js`), subscribes with the server's key and sends the subscription to
 * `POST /v1/me/push-subscriptions`. A `<details>` at the end of the panel; it loads when first opened.
 */
import type { GetToken } from '../client/index.js';
import { h } from './dom.js';

/** Where the view talks to and how it authenticates. */
export interface SettingsOptions {
  /** API base, no trailing slash. */
  http: string;
  getToken?: GetToken | undefined;
  /** Service worker script for desktop notifications. */
  swUrl: string;
}

type Channel = 'push' | 'email' | 'webhook';
const LABELS: [Channel, string][] = [
  ['push', 'Desktop notifications'],
  ['email', 'Email'],
  ['webhook', 'Other channels of this site'],
];

const CSS = `.settings{border-top:1px solid rgba(127,127,127,.25);padding:.5rem .75rem;font-size:.85rem}
.settings summary{cursor:pointer;font-weight:600}.settings label{display:flex;gap:.5rem;align-items:center;margin:.35rem 0}
.settings .note{margin:.35rem 0 0;opacity:.8}.settings button{margin-top:.35rem}`;

/** The settings part of one bell's panel. */
export class SettingsView {
  readonly element: HTMLDetailsElement;
  readonly #boxes = new Map<Channel, HTMLInputElement>();
  readonly #note = h('p', { class: 'note', role: 'status' });
  readonly #enable = h('button', { type: 'button', class: 'enable-push', hidden: '' }, 'Enable desktop notifications');
  #loaded = false;

  constructor(
    panel: HTMLElement,
    private readonly o: SettingsOptions,
  ) {
    const form = h('div', {});
    for (const [channel, text] of LABELS) {
      const box = h('input', { type: 'checkbox', name: channel, disabled: '' });
      box.addEventListener('change', () => void this.#save());
      this.#boxes.set(channel, box);
      form.append(h('label', {}, box, text));
    }
    this.#enable.addEventListener('click', () => void this.#enablePush());
    this.element = h('details', { class: 'settings', part: 'settings' }, h('summary', {}, 'Notification settings'), form, this.#enable, this.#note);
    this.element.addEventListener('toggle', () => {
      if (this.element.open && !this.#loaded) void this.load();
    });
    addStyles(panel.getRootNode());
    panel.append(this.element);
  }

  /** Read the preferences and whether Web Push is offered. */
  async load(): Promise<void> {
    this.#loaded = true;
    try {
      const prefs = (await this.#call('GET', '/v1/me/preferences')) as { channels: Record<Channel, boolean> };
      for (const [channel, box] of this.#boxes) {
        box.checked = prefs.channels[channel] !== false;
        box.disabled = false;
      }
      this.#note.textContent = '';
    } catch {
      this.#loaded = false;
      this.#note.textContent = "Couldn't load your settings.";
    }
    const key = await this.#call('GET', '/v1/push/public-key').catch(() => null);
    this.#enable.hidden = !(key && pushSupported() && Notification.permission !== 'denied');
  }

  /** Take the view out of the panel. */
  remove(): void {
    this.element.remove();
  }

  async #save(): Promise<void> {
    const channels: Partial<Record<Channel, boolean>> = {};
    for (const [channel, box] of this.#boxes) channels[channel] = box.checked;
    try {
      const current = (await this.#call('GET', '/v1/me/preferences')) as { kinds: unknown };
      await this.#call('PUT', '/v1/me/preferences', { channels, kinds: current.kinds });
      this.#note.textContent = 'Saved.';
    } catch {
      this.#note.textContent = "Couldn't save your settings.";
    }
  }

  async #enablePush(): Promise<void> {
    try {
      const { publicKey } = (await this.#call('GET', '/v1/push/public-key')) as { publicKey: string };
      if ((await Notification.requestPermission()) !== 'granted') {
        this.#note.textContent = 'Desktop notifications are blocked in this browser.';
        return;
      }
      await navigator.serviceWorker.register(this.o.swUrl);
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey });
      await this.#call('POST', '/v1/me/push-subscriptions', subscription.toJSON());
      this.#enable.hidden = true;
      this.#note.textContent = 'Desktop notifications are on.';
    } catch {
      this.#note.textContent = "Couldn't turn on desktop notifications.";
    }
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const token = await this.o.getToken?.();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
    const res = await fetch(this.o.http + path, init);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
    return res.json();
  }
}

function pushSupported(): boolean {
  return typeof Notification !== 'undefined' && 'serviceWorker' in navigator && typeof PushManager !== 'undefined';
}

function addStyles(root: Node): void {
  if (!(root instanceof ShadowRoot) || !('adoptedStyleSheets' in root) || typeof CSSStyleSheet !== 'function') return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

/** The API base of a bell: `http-url`, else the origin of `src`, else this page's origin. */
export function apiBase(httpUrl: string | null, src: string | null): string {
  if (httpUrl) return httpUrl.replace(/\/$/, '');
  return new URL(src ?? '/', location.href).origin.replace(/^ws/, 'http');
}
