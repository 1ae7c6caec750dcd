/**
 * Tidings: real-time notifications for web applications. The Channels model (consumers, groups, channel
 * layers, routing, middleware) plus a notification service (inbox, unread counts, replay, publishing).
 */
export { createTidings, type Tidings, type TidingsOptions } from './tidings.js';
export { loadConfig, describeConfig, SETTINGS, type Config } from './config/index.js';
export { TidingsError, ChannelFullError, ERRORS, type ErrorCode } from './errors.js';
export * from './protocol/index.js';
export * from './consumer/index.js';
export * from './layer/index.js';
export * from './inbox/index.js';
export { createServer, type ServerOptions, type TidingsServer } from './server/index.js';
export { signToken, createTokenVerifier, jwtAuthenticator, type JwtOptions, type TokenVerifier } from './auth/index.js';
export { createPublisher, userGroup, SITE_GROUP, type Publisher } from './notify/index.js';
export { createHttpHandler, type HttpRoute, type HttpContext } from './http/index.js';
export { prepareText, type Transport, type PreparedText } from './transport/index.js';
export { createLogger, silentLogger, type Logger } from './log/index.js';
export { createMetrics, type Metrics } from './metrics/index.js';
