/**
 * The seed's whole server: `/inform/` routed to InformConsumer, and a plain HTTP endpoint standing in for
 * the blog's "comment posted" view, which calls sendInform().
 *
 * `npm run example:inform` serves it with the configured channel layer (TIDINGS_PORT, TIDINGS_HOST,
 * TIDINGS_LAYER, TIDINGS_REDIS_URL, TIDINGS_LAYER_PREFIX, TIDINGS_ALLOWED_ORIGINS, ...). With
 * `TIDINGS_LAYER=channels-redis` it shares the `yunbo_inform` group with a Django project on channels_redis:
 * the Django code's `send_inform()` reaches the sockets served here, unchanged. Then connect a WebSocket to
 * ws://127.0.0.1:8006/inform/ and `curl -X POST 127.0.0.1:8006/comment`.
 */
import { createMemoryChannelLayer, createServer, originValidator, route, setChannelLayer, stack, urlRouter, createHttpHandler, silentLogger, createLogger } from '../../src/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createChannelLayer, type ChannelLayer } from '../../src/layer/index.js';
import { InformConsumer } from './consumer.js';
import { sendInform } from './send-inform.js';

/** The seed's per-app `websocket_urlpatterns`. */
export const websocketUrlpatterns = [route('/inform/', InformConsumer.asApp())];

/** Where the example listens, and (optionally) the layer to use and the Origins allowed (default: same origin). */
export interface InformServerOptions {
  host?: string;
  port?: number;
  proxyHeaders?: boolean;
  layer?: ChannelLayer;
  allowedOrigins?: readonly string[];
}

export function createInformServer(options: InformServerOptions = {}) {
  const { layer = createMemoryChannelLayer(), allowedOrigins = [], ...settings } = options;
  setChannelLayer(layer);
  const http = createHttpHandler(
    [
      { method: 'GET', path: '/healthz', handler: () => ({ body: { status: 'ok', connections: server.connections } }) },
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
  const websocket = stack(urlRouter(websocketUrlpatterns), originValidator(allowedOrigins));
  const server = createServer({ websocket, http, layer, settings });
  return server;
}

/** Serve the example with the configuration from the environment until SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig({ env: process.env });
  const log = createLogger({ level: config.logLevel });
  const layer = await createChannelLayer({
    kind: config.layer,
    redisUrl: config.redisUrl,
    prefix: config.layerPrefix,
    capacity: config.capacity,
    expiry: config.expiry,
    groupExpiry: config.groupExpiry,
    logger: log.child({ module: 'layer' }),
  });
  const server = createInformServer({ host: config.host, port: config.port, proxyHeaders: config.proxyHeaders, layer, allowedOrigins: config.allowedOrigins });
  const address = await server.listen();
  log.info({ host: address.address, port: address.port, layer: config.layer ?? (config.redisUrl ? 'redis' : 'memory') }, 'listening');
  const stop = async (): Promise<void> => {
    await server.close();
    await layer.close();
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
