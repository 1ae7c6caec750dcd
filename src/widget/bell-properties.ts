/**
 * The properties of `<tidings-bell>` that shape it (token supplier, wording, rendering, links), set before or
 * after the element is defined; each change restarts the bell once.
 */
import type { GetToken } from '../client/index.js';
import { describeItem, type Description, type RenderHook } from './describe.js';
import type { ListItem } from './item.js';
import { stringsFor, type BellStrings } from './strings.js';

const PROPERTIES = ['getToken', 'strings', 'render', 'hrefs'] as const;

/** Base class of the element: its properties and what they decide. */
export abstract class BellProperties extends HTMLElement {
  protected tokenGetter: GetToken | undefined;
  protected overrides: Partial<BellStrings> = {};
  protected renderHook: RenderHook | undefined;
  protected hrefTemplates: Readonly<Record<string, string>> = {};

  /** Reconnects with the current settings (coalesced). */
  protected abstract restart(): void;

  /** Token supplier; setting it reconnects with the new supplier. */
  get getToken(): GetToken | undefined {
    return this.tokenGetter;
  }
  set getToken(fn: GetToken | undefined) {
    this.tokenGetter = fn;
    this.restart();
  }

  /** Wording overrides on top of the built-in table of the page's language (English, German). */
  get strings(): BellStrings {
    return stringsFor(this.pageLang(), this.overrides);
  }
  set strings(value: Partial<BellStrings>) {
    this.overrides = value ?? {};
    this.restart();
  }

  /** See {@link RenderHook}. */
  get render(): RenderHook | undefined {
    return this.renderHook;
  }
  set render(fn: RenderHook | undefined) {
    this.renderHook = fn;
    this.restart();
  }

  /** Link templates per kind, `{field}` filled from the item's data: `{ comment: '/posts/{post}#c{id}' }`. */
  get hrefs(): Readonly<Record<string, string>> {
    return this.hrefTemplates;
  }
  set hrefs(value: Readonly<Record<string, string>>) {
    this.hrefTemplates = value ?? {};
    this.restart();
  }

  /** The page's language: the `lang` of this element or its nearest ancestor ('' when none). */
  protected pageLang(): string {
    return this.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang ?? '';
  }

  /** The built-in description (strings table, `data.url` / href templates), then the `render` hook's changes. */
  protected describe(item: ListItem): Description {
    return describeItem(item, this.strings, this.hrefTemplates, this.renderHook);
  }

  /** A property set before the element was defined sits on the instance: route it through its setter. */
  protected adoptEarlyProperties(): void {
    const own = this as unknown as Record<string, unknown>;
    for (const name of PROPERTIES) {
      if (!Object.prototype.hasOwnProperty.call(own, name)) continue;
      const value = own[name];
      delete own[name];
      own[name] = value;
    }
  }
}
