/**
 * The reference server: what a user writes by hand with `ws`. A Set of sockets, and for each published
 * message one JSON.stringify and `for (const s of set) s.send(msg)`. `POST /publish` with
 * `{"kind","data"}` broadcasts `{"type":"broadcast","id","kind","data","createdAt"}` (the same frame shape as
 * Tidings, so both send the same bytes). Run: `node --import tsx bench/targets/ws-reference.ts --port 9000`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

const MAX_BODY = 64 * 1024;

function parsePort(argv: readonly string[]): number {
  const index = argv.indexOf('--port');
  const port = Number(index >= 0 ? argv[index + 1] : NaN);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('usage: ws-reference.ts --port <port>');
  return port;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

const sockets = new Set<WebSocket>();

function broadcast(kind: unknown, data: unknown): void {
  const msg = JSON.stringify({ type: 'broadcast', id: randomUUID(), kind, data, createdAt: new Date().toISOString() });
  for (const s of sockets) {
    if (s.readyState === WebSocket.OPEN) s.send(msg);
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/publish') {
    res.writeHead(404).end();
    return;
  }
  try {
    const { kind, data } = JSON.parse(await readBody(req)) as { kind?: unknown; data?: unknown };
    broadcast(kind, data);
    res.writeHead(202, { 'content-type': 'application/json' }).end(`{"sockets":${sockets.size}}`);
  } catch {
    res.writeHead(400).end();
  }
}

const server = createServer((req, res) => void handle(req, res));
const wss = new WebSocketServer({ server });
wss.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => socket.terminate());
});
server.listen(parsePort(process.argv), '127.0.0.1');
process.on('SIGTERM', () => {
  for (const s of sockets) s.terminate();
  server.close(() => process.exit(0));
});
