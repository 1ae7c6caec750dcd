/**
 * The browser bundles at stable, versioned paths, in every environment (production included), for pages
 * on any origin: `/bundles/<version>/tidings-bell.js` (the `<tidings-bell>` element with the client) and
 * `/bundles/<version>/tidings-client.js` (the client alone). A version's file never changes, so they are
 * cached for a year (`immutable`); `Access-Control-Allow-Origin: *` lets another origin load them as
 * module scripts. Another version's path is 404.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TidingsError } from '../errors.js';
import type { HttpRoute } from './router.js';
import { PUBLIC_DIR } from './static-routes.js';

const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

/** The package version: the `<version>` of the bundle paths. */
export const BUNDLE_VERSION: string = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;

/** The bundle files served, by name. */
export const BUNDLE_FILES = ['tidings-bell.js', 'tidings-client.js'] as const;

/** `/bundles/<version>/<file>` for this version. */
export function bundlePath(file: (typeof BUNDLE_FILES)[number]): string {
  return `/bundles/${BUNDLE_VERSION}/${file}`;
}

const HEADERS = {
  'content-type': 'text/javascript; charset=utf-8',
  'cache-control': 'public, max-age=31536000, immutable',
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
};

/** Routes for the bundles under `dir` (default `public/static/`, where the build puts them). */
export function bundleRoutes(dir: string = join(PUBLIC_DIR, 'static')): HttpRoute[] {
  const cache = new Map<string, Buffer>();
  const load = (file: string): Buffer => {
    let body = cache.get(file);
    if (!body) {
      try {
        body = readFileSync(join(dir, file));
      } catch {
        throw new TidingsError('NOT_FOUND', `${file} is not built (npm run build)`);
      }
      cache.set(file, body);
    }
    return body;
  };
  return [
    {
      method: 'GET',
      path: '/bundles/:version/:file',
      handler: (ctx) => {
        const { version, file } = ctx.params;
        if (version !== BUNDLE_VERSION || !BUNDLE_FILES.includes(file as (typeof BUNDLE_FILES)[number])) throw new TidingsError('NOT_FOUND');
        const body = load(file as string);
        ctx.res.writeHead(200, { ...HEADERS, etag: `"${BUNDLE_VERSION}-${body.length}"`, 'content-length': body.length });
        ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
      },
    },
  ];
}
