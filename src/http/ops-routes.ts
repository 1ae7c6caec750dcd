/**
 * Operations endpoints: `/healthz` (the process answers), `/readyz` (layer and database reachable, not
 * draining: 503 otherwise, with which part failed) and `/metrics` (Prometheus text format).
 */
import type { Metrics } from '../metrics/index.js';
import type { HttpRoute } from './router.js';

export interface OpsDeps {
  metrics: Metrics;
  /** Each named check answers true when healthy (e.g. `{ layer, inbox }`); must not throw. */
  checks: Record<string, () => Promise<boolean> | boolean>;
  draining: () => boolean;
}

/** Run readiness checks; returns overall readiness and each part's state. */
export async function readiness(deps: OpsDeps): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
  // Every check is a pass flag (true = good): `accepting` is false while the server drains.
  const checks: Record<string, boolean> = { accepting: !deps.draining() };
  await Promise.all(
    Object.entries(deps.checks).map(async ([name, check]) => {
      checks[name] = await Promise.resolve()
        .then(check)
        .catch(() => false);
      deps.metrics.backendUp.set({ backend: name }, checks[name] ? 1 : 0);
    }),
  );
  return { ready: Object.values(checks).every(Boolean), checks };
}

export function opsRoutes(deps: OpsDeps): HttpRoute[] {
  return [
    { method: 'GET', path: '/healthz', handler: () => ({ body: { status: 'ok' } }) },
    {
      method: 'GET',
      path: '/readyz',
      handler: async () => {
        const r = await readiness(deps);
        return { status: r.ready ? 200 : 503, body: { status: r.ready ? 'ready' : 'not ready', checks: r.checks } };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (ctx) => {
        await readiness(deps);
        const text = await deps.metrics.registry.metrics();
        ctx.res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
        ctx.res.end(text);
      },
    },
  ];
}
