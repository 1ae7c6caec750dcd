export { stack, type Handshake, type Middleware, type Scope, type SocketApp, type User } from './app.js';
export { Consumer, type ConsumerClass, type EventHandler, type EventHandlers, type ReceivedData } from './consumer.js';
export { JsonConsumer } from './json-consumer.js';
export { route, include, urlRouter, type Route } from './router.js';
export { authMiddleware, originValidator, isOriginAllowed, type Authenticator, type AuthMiddlewareOptions } from './middleware.js';
