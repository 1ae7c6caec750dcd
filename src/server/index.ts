export { createServer, type ServerOptions, type ServerSettings, type TidingsServer } from './create-server.js';
export { clientAddressResolver, trustedProxyMatcher, normaliseIp, parseHop, type ProxyOptions } from './proxy.js';
export { createOpsServer, listenOn, type OpsServer } from './ops-server.js';
export type { FrameCounts } from '../transport/index.js';
