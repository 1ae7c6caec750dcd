export { createHttpHandler, requestUrl, sendJson, readBody, type HttpContext, type HttpRoute, type Reply, type RouteHandler } from './router.js';
export { apiRoutes, listQuery, type ApiDeps } from './api-routes.js';
export { meRoutes, type MeDeps } from './me-routes.js';
export { opsRoutes, readiness, type OpsDeps } from './ops-routes.js';
export { staticRoutes, PUBLIC_DIR, SECURITY_HEADERS } from './static-routes.js';
export { demoRoutes, DEMO_ARTICLE, type DemoDeps } from './demo-routes.js';
export { bundleRoutes, bundlePath, BUNDLE_VERSION, BUNDLE_FILES } from './bundle-routes.js';
export { withCors, type CorsOptions } from './cors.js';
