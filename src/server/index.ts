export { createServer, type ServerOptions, type ServerSettings, type TidingsServer } from './create-server.js';
export { clientAddressResolver, trustedProxyMatcher, normaliseIp, type ProxyOptions } from './proxy.js';
