/**
 * A tiny HTTP server on 127.0.0.1, port 0, for pages that are not Tidings': an attacker's page on another
 * origin, or a page talking to a fake Tidings (`onSocket`) that sends what the real one never would.
 * Serves fixed pages by path, the built bell bundle at `/static/tidings-bell.js`, and counts requests.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';

const BELL_BUNDLE = fileURLToPath(new URL('../../../public/static/tidings-bell.js', import.meta.url));

/** Options of {@link startPageServer}. */
export interface PageServerOptions {
  /** HTML pages by path, e.g. `{ '/': '<!doctype html>…' }`. */
  pages: Record<string, string>;
  /** Accept WebSocket upgrades on any path and hand each socket here; without it upgrades are refused. */
  onSocket?: (ws: WebSocket, req: IncomingMessage) => void;
  /** Any other request (e.g. the app's token endpoint): return true once it is answered. */
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** A running page server. */
export interface PageServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request path (and upgrade path) received, in order. */
  readonly requests: readonly string[];
  /** The Origin and Cookie headers of every WebSocket upgrade received. */
  readonly upgrades: readonly { origin: string | undefined; cookie: string | undefined }[];
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. */
export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const requests: string[] = [];
  const upgrades: { origin: string | undefined; cookie: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push(`${req.method} ${path}`);
    const page = options.pages[path];
    if (options.handle?.(req, res)) return;
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
    } else if (path === '/static/tidings-bell.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(readFileSync(BELL_BUNDLE));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    requests.push(`UPGRADE ${req.url ?? ''}`);
    upgrades.push({ origin: req.headers.origin, cookie: req.headers.cookie });
    const onSocket = options.onSocket;
    if (!onSocket) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws, req));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    upgrades,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
