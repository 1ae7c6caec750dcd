/**
 * Static files of the demo site (`public/`), served with a strict Content-Security-Policy: scripts only from
 * this origin, no inline script, no plugins, no framing. Paths cannot leave the folder.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TidingsError } from '../errors.js';
import type { HttpRoute } from './router.js';

/** The package's `public/` folder (from both src/ under tsx and dist/). */
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

async function serveFile(root: string, relative: string, res: import('node:http').ServerResponse): Promise<void> {
  const path = normalize(join(root, relative));
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) throw new TidingsError('NOT_FOUND');
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    throw new TidingsError('NOT_FOUND');
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': extname(path) === '.html' ? 'no-cache' : 'public, max-age=300',
    ...SECURITY_HEADERS,
  });
  res.end(body);
}

/** `/` -> public/index.html and `/static/*`, `/demo.css`-style top-level files -> public/. */
export function staticRoutes(root: string = PUBLIC_DIR): HttpRoute[] {
  return [
    { method: 'GET', path: '/', handler: (ctx) => serveFile(root, 'index.html', ctx.res) },
    { method: 'GET', path: '/static/*', handler: (ctx) => serveFile(root, ctx.url.pathname.slice(1), ctx.res) },
    { method: 'GET', path: '/:file', handler: (ctx) => serveFile(root, ctx.params.file ?? '', ctx.res) },
  ];
}
