/**
 * The demo's files (`public/`) served to a browser context by request interception, for an origin where no
 * Tidings server runs: the page loads although the server it talks to is down.
 */
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Route } from 'playwright-core';

const PUBLIC_DIR = fileURLToPath(new URL('../../../public/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Options of {@link serveDemoFiles}. */
export interface DemoFilesOptions {
  /** Extra HTML pages by path. */
  pages?: Record<string, string>;
  /** Every other request (e.g. count `/demo/api/token` and abort it as if the server were down). */
  other(route: Route, path: string): Promise<void>;
}

/** Answers GETs to `origin` with `pages`, then the files of `public/` (`/` is index.html), then `other`. */
export async function serveDemoFiles(context: BrowserContext, origin: string, { pages = {}, other }: DemoFilesOptions): Promise<void> {
  await context.route(`${origin}/**`, async (route) => {
    const request = route.request();
    const path = new URL(request.url()).pathname;
    if (request.method() !== 'GET') return other(route, path);
    const page = pages[path];
    if (page !== undefined) return route.fulfill({ status: 200, contentType: 'text/html', body: page });
    const file = normalize(join(PUBLIC_DIR, path === '/' ? 'index.html' : path));
    if (!file.startsWith(PUBLIC_DIR)) return route.fulfill({ status: 404 });
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      return other(route, path);
    }
    await route.fulfill({ status: 200, contentType: TYPES[extname(file)] ?? 'application/octet-stream', body });
  });
}
