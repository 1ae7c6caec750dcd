/**
 * A small HTTP router for the Tidings API: method + path patterns with `:params`, JSON bodies with a size
 * limit, and one error mapping (TidingsError -> its status and `{code, message, details}`).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { TidingsError, isTidingsError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { Metrics } from '../metrics/index.js';

export interface HttpContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  /** Client address (after proxy-header resolution). */
  readonly ip: string;
  /** The JSON body. @throws PAYLOAD_TOO_LARGE (413), UNSUPPORTED_MEDIA_TYPE (415), BAD_JSON (400). */
  json(): Promise<unknown>;
}

/** What a handler returns: a JSON reply, or nothing when it wrote the response itself. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (ctx: HttpContext) => Promise<Reply | void> | Reply | void;

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'HEAD' | 'DELETE' | 'PUT';
  readonly path: string;
  readonly handler: RouteHandler;
}

export interface HttpHandlerOptions {
  log: Logger;
  metrics?: Metrics | undefined;
  maxBodyBytes: number;
  clientAddress: (req: IncomingMessage) => string;
}

interface Compiled extends HttpRoute {
  readonly regex: RegExp;
  readonly names: string[];
}

function compile(r: HttpRoute): Compiled {
  const names: string[] = [];
  const source = r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...r, regex: new RegExp(`^${source.replace(/\*$/, '.*')}$`), names };
}

/**
 * Read a request body up to `limit` bytes. Over the limit (declared or streamed) it rejects with
 * PAYLOAD_TOO_LARGE and discards the rest of the body rather than closing the socket with it unread, which
 * resets the connection and can destroy the 413 before the client reads it (nginx's "lingering close");
 * the server's request timeout bounds a body that never ends.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new TidingsError('PAYLOAD_TOO_LARGE', `body over ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      chunks.length = 0;
      req.resume();
      reject(new TidingsError('PAYLOAD_TOO_LARGE', `body over ${limit} bytes`));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function parseJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/json')) throw new TidingsError('UNSUPPORTED_MEDIA_TYPE');
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new TidingsError('BAD_JSON', 'request body is not valid JSON');
  }
}

/** Write a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, err: TidingsError, log: Logger): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err.status >= 500) log.warn({ err, code: err.code }, 'request failed');
  sendJson(res, err.status, err.toJSON(), err.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
}

/**
 * The URL of a request target exactly as a proxy forwarded it. `new URL(target, base)` would read
 * `//x/metrics` as host `x` and path `/metrics`, while nginx matched (and forwarded) the path `//x/metrics`:
 * a path the proxy refuses must not become reachable through such a spelling.
 */
export function requestUrl(target: string | undefined): URL {
  const raw = target || '/';
  return raw.startsWith('/') ? new URL(`http://localhost${raw}`) : new URL(raw, 'http://localhost');
}

/** A request listener serving `routes`; unknown paths 404, known paths with another method 405. */
export function createHttpHandler(routes: readonly HttpRoute[], options: HttpHandlerOptions): RequestListener {
  const compiled = routes.map(compile);
  const { log, metrics } = options;
  return (req, res) => {
    const url = requestUrl(req.url);
    let matchedPath = false;
    for (const r of compiled) {
      const m = r.regex.exec(url.pathname);
      if (!m) continue;
      matchedPath = true;
      if (r.method !== req.method && !(r.method === 'GET' && req.method === 'HEAD')) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = safeDecode(m[i + 1] ?? '')));
      const ctx: HttpContext = { req, res, url, params, ip: options.clientAddress(req), json: () => parseJson(req, options.maxBodyBytes) };
      res.once('finish', () => metrics?.httpRequests.inc({ route: r.path, status: String(res.statusCode) }));
      Promise.resolve()
        .then(() => r.handler(ctx))
        .then((reply) => {
          if (reply && !res.headersSent) sendJson(res, reply.status ?? 200, reply.body, reply.headers);
        })
        .catch((err: unknown) => {
          if (isTidingsError(err)) return sendError(res, err, log);
          log.error({ err, path: url.pathname }, 'request handler failed');
          sendError(res, new TidingsError('INTERNAL'), log);
        });
      return;
    }
    const err = new TidingsError(matchedPath ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND');
    sendError(res, err, log);
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
