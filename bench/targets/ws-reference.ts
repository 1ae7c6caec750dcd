/**
 * The reference server: what a user writes by hand with `ws`. A Set of sockets, and for each published
 * message one JSON.stringify and `for (const s of set) s.send(msg)`. `POST /publish` with
 * `{"kind","data"}` broadcasts `{"type":"broadcast","id","kind","data","createdAt"}` (the same frame shape as
 * Tidings, so both send the same bytes). Run: `node --import tsx bench/targets/ws-reference.ts --port 9000`.
 *
 * A socket that brings `?token=` (the `connect` scenario) is verified before the upgrade with the same HMAC
 * JWT check Tidings makes (jose's `jwtVerify`, HS256, `exp` required, the key imported once), with the
 * secret from BENCH_JWT_SECRET; a bad token is refused with 401. Sockets without a token are accepted as
 * before, so the other scenarios measure the plain loop.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocket, WebSocketServer, type VerifyClientCallbackAsync } from 'ws';
import { portArgument, tokenChecker } from './reference-common.js';

const MAX_BODY = 64 * 1024;

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

const tokenValid = tokenChecker();

/** Accept a socket without a token; verify one that has it (HS256, `exp` and a string `sub` required). */
const verifyClient: VerifyClientCallbackAsync = (info, done) => {
  const token = new URL(info.req.url ?? '/', 'http://x').searchParams.get('token');
  if (token === null) return done(true);
  void tokenValid(token).then((ok) => done(ok, 401));
};

const server = createServer((req, res) => void handle(req, res));
const wss = new WebSocketServer({ server, verifyClient });
wss.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => socket.terminate());
});
server.listen(portArgument(process.argv, 'ws-reference.ts'), '127.0.0.1');
process.on('SIGTERM', () => {
  for (const s of sockets) s.terminate();
  server.close(() => process.exit(0));
});
