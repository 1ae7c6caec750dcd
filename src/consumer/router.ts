/**
 * URL routing for WebSocket applications, in the model of Channels' URLRouter: patterns with `:name`
 * parameters (`/rooms/:room/`), route lists that compose (`[...chatRoutes, ...informRoutes]`, or
 * `include('/api', routes)`), and a 404 refusal before the upgrade for an unknown path.
 */
import type { SocketApp } from './app.js';

/** One route: a path pattern and the application serving it. */
export interface Route {
  readonly pattern: string;
  readonly app: SocketApp;
}

interface CompiledRoute {
  readonly regex: RegExp;
  readonly names: readonly string[];
  readonly app: SocketApp;
}

/** A route for `pattern` (`/inform/`, `/rooms/:room/`). A parameter matches one path segment. */
export function route(pattern: string, app: SocketApp): Route {
  if (!pattern.startsWith('/')) throw new TypeError(`route pattern must start with "/": ${JSON.stringify(pattern)}`);
  return { pattern, app };
}

/** The same routes under a path prefix: `include('/v2', routes)`. */
export function include(prefix: string, routes: readonly Route[]): Route[] {
  const clean = prefix.replace(/\/+$/, '');
  return routes.map((r) => route(clean + r.pattern, r.app));
}

function compile(r: Route): CompiledRoute {
  const names: string[] = [];
  const source = r.pattern
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { regex: new RegExp(`^${source}$`), names, app: r.app };
}

/**
 * An application that serves each connection with the first route whose pattern matches `scope.path`,
 * putting path parameters in `scope.params`. No match: the handshake is refused with 404.
 */
export function urlRouter(routes: readonly Route[]): SocketApp {
  const compiled = routes.map(compile);
  return (scope, handshake) => {
    for (const r of compiled) {
      const match = r.regex.exec(scope.path);
      if (!match) continue;
      const params: Record<string, string> = { ...scope.params };
      try {
        r.names.forEach((name, i) => {
          params[name] = decodeURIComponent(match[i + 1] ?? '');
        });
      } catch {
        handshake.reject('NOT_FOUND', 'malformed path');
        return;
      }
      scope.params = params;
      return r.app(scope, handshake);
    }
    handshake.reject('NOT_FOUND', `no WebSocket route for ${scope.path}`);
  };
}
