/**
 * Types of what the in-page functions (run by `page.evaluate` / `waitForFunction`) touch. The test tsconfig
 * has no DOM lib (Node code), so the few browser shapes used are described here, structurally. In-page
 * functions are serialized, so they reach globals through `globalThis as unknown as PageWindow` and never
 * call helpers of this module.
 */
import type { TidingsClient } from '../../../src/client/index.js';

/** An element, a shadow root or the document: the part the tests use. */
export interface PageNode {
  readonly textContent: string | null;
  readonly shadowRoot: PageNode | null;
  readonly hidden: boolean;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageNode | null;
  querySelectorAll(selector: string): ArrayLike<PageNode>;
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number; width: number; height: number };
}

/** The `<tidings-bell>` element. */
export interface BellNode extends PageNode {
  readonly client: TidingsClient | undefined;
  readonly open: boolean;
}

/** What the recorder ({@link installRecorder} in browser.ts) keeps for each page. */
export interface PageRecord {
  /** `tidings-announce` events: `<type>:<kind>:<text>` */
  announced: string[];
  /** `tidings-error` events: the error codes. */
  errors: string[];
  /** `tidings-state` events. */
  states: string[];
  /** `securitypolicyviolation` events: the violated directive. */
  violations: string[];
  /** When (`Date.now()`) the bell's `count` attribute first took each value. */
  countAt: Record<string, number>;
  /** When (`Date.now()`) the last form was submitted. */
  submittedAt: number;
}

/** The window of a test page. */
export interface PageWindow {
  document: PageNode & {
    readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
    addEventListener(type: string, listener: (event: { detail?: unknown; violatedDirective?: string }) => void, capture?: boolean): void;
    querySelector(selector: string): PageNode | null;
    body: PageNode & { insertAdjacentHTML(where: string, html: string): void };
  };
  innerWidth: number;
  MutationObserver: new (callback: (records: ArrayLike<{ target: PageNode }>) => void) => {
    observe(target: unknown, options: { subtree: boolean; attributes: boolean; attributeFilter: string[] }): void;
  };
  __e2e?: PageRecord;
  __xss?: unknown;
  WebSocket: new (url: string) => {
    onopen: (() => void) | null;
    onmessage: ((event: { data: unknown }) => void) | null;
    onclose: ((event: { code: number; reason: string }) => void) | null;
    onerror: (() => void) | null;
    close(): void;
  };
}
