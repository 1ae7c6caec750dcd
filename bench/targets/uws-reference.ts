/**
 * The native reference: uWebSockets.js (the `uws-pack` repack of its v20 binaries, a dev dependency of the
 * bench only) with its own pub/sub. Every socket subscribes to one topic; `POST /publish` with
 * `{"kind","data"}` does one JSON.stringify of the same frame shape as the other targets and one
 * `app.publish`, which writes the prepared frame to every subscriber in C++ (corked), with no JavaScript
 * per socket. A socket that brings `?token=` is verified before the upgrade exactly as in ws-reference.ts
 * (jose, HS256, `exp` required, key imported once, secret from BENCH_JWT_SECRET); a bad token gets 401.
 * Run: `node bench/.build/uws-reference.mjs --port 9000` (bundled by the harness).
 */
import { randomUUID } from 'node:crypto';
import { App, us_listen_socket_close, type HttpResponse, type us_listen_socket, type us_socket_context_t } from 'uws-pack';
import { portArgument, tokenChecker } from './reference-common.js';

const TOPIC = 'all';
const MAX_BODY = 64 * 1024;

const tokenValid = tokenChecker();

/** Upgrade at once without a token; with one, after verifying it (uWS's asynchronous upgrade pattern). */
function upgrade(res: HttpResponse, req: { getHeader(k: string): string; getQuery(k: string): string | undefined }, context: us_socket_context_t): void {
  const headers = {
    key: req.getHeader('sec-websocket-key'),
    protocol: req.getHeader('sec-websocket-protocol'),
    extensions: req.getHeader('sec-websocket-extensions'),
  };
  const token = req.getQuery('token');
  const finish = (): void => void res.upgrade({}, headers.key, headers.protocol, headers.extensions, context);
  if (token === undefined) return finish();
  let aborted = false;
  res.onAborted(() => (aborted = true));
  void tokenValid(token).then((ok) => {
    if (aborted) return;
    res.cork(() => (ok ? finish() : void res.writeStatus('401 Unauthorized').end()));
  });
}

const app = App();
let subscribers = 0;

function publish(res: HttpResponse): void {
  let body = '';
  let aborted = false;
  res.onAborted(() => (aborted = true));
  res.onData((chunk, isLast) => {
    body += Buffer.from(chunk).toString('utf8');
    if (body.length > MAX_BODY) return void res.close();
    if (!isLast || aborted) return;
    try {
      const { kind, data } = JSON.parse(body) as { kind?: unknown; data?: unknown };
      app.publish(TOPIC, JSON.stringify({ type: 'broadcast', id: randomUUID(), kind, data, createdAt: new Date().toISOString() }), false);
      res.cork(() => void res.writeStatus('202 Accepted').writeHeader('content-type', 'application/json').end(`{"sockets":${subscribers}}`));
    } catch {
      res.cork(() => void res.writeStatus('400 Bad Request').end());
    }
  });
}

app
  .ws('/*', {
    maxPayloadLength: 64 * 1024,
    idleTimeout: 0,
    upgrade,
    open: (ws) => {
      subscribers++;
      ws.subscribe(TOPIC);
    },
    close: () => void subscribers--,
  })
  .post('/publish', publish)
  .any('/*', (res) => void res.writeStatus('404 Not Found').end());

let listening: us_listen_socket | null = null;
app.listen('127.0.0.1', portArgument(process.argv, 'uws-reference'), (socket) => {
  if (!socket) {
    process.stderr.write('uws reference: listen failed\n');
    process.exit(1);
  }
  listening = socket;
});
process.on('SIGTERM', () => {
  if (listening) us_listen_socket_close(listening);
  process.exit(0);
});
