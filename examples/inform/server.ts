/**
 * The seed's whole server: `/inform/` routed to InformConsumer, and a plain HTTP endpoint standing in for
 * the blog's "comment posted" view, which calls sendInform(). Run: `npx tsx examples/inform/server.ts`,
 * then connect a WebSocket to ws://127.0.0.1:8006/inform/ and `curl -X POST 127.0.0.1:8006/comment`.
 */
import { createMemoryChannelLayer, createServer, originValidator, route, setChannelLayer, stack, urlRouter, createHttpHandler, silentLogger, createLogger } from '../../src/index.js';
import { InformConsumer } from './consumer.js';
import { sendInform } from './send-inform.js';

/** The seed's per-app `websocket_urlpatterns`. */
export const websocketUrlpatterns = [route('/inform/', InformConsumer.asApp())];

export function createInformServer(settings: { host?: string; port?: number } = {}) {
  const layer = createMemoryChannelLayer();
  setChannelLayer(layer);
  const http = createHttpHandler(
    [
      { method: 'GET', path: '/healthz', handler: () => ({ body: { status: 'ok' } }) },
      {
        method: 'POST',
        path: '/comment',
        handler: async () => {
          await sendInform('comment', 'alice', 'Channels in TypeScript', '/static/alice.png', 'bob');
          return { status: 202, body: { ok: true } };
        },
      },
    ],
    { log: silentLogger(), maxBodyBytes: 65_536, clientAddress: (req) => req.socket.remoteAddress ?? '' },
  );
  const websocket = stack(urlRouter(websocketUrlpatterns), originValidator([]));
  return createServer({ websocket, http, layer, settings });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = createInformServer({ host: '127.0.0.1', port: 8006 });
  const address = await server.listen();
  createLogger().info({ port: address.port }, 'inform example listening');
}
