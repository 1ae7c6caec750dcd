/**
 * The reference targets: hand-written servers with no framework, one child process per instance, a
 * broadcast on `POST /publish`, and the same HS256 token check as Tidings on `?token=`.
 * `ws`: the broadcast loop of ws-reference.ts (the baseline of every ratio); `uws`: uWebSockets.js pub/sub
 * (uws-reference.ts), unavailable where its native binary does not load.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { compiledScript } from '../lib/bundle.js';
import { startOnFreePort, startServerChild } from '../lib/child.js';
import { tokenCache } from '../lib/jwt.js';
import type { Target, TargetInstance } from './types.js';

/** What distinguishes one reference server from another. */
interface ReferenceSpec {
  readonly name: string;
  readonly title: string;
  /** The TypeScript entry of the server (bundled once per run). */
  readonly script: string;
  readonly unavailableReason: () => string | null;
  readonly optional?: boolean;
}

/** A reference target: broadcast and token-checked reconnects. */
export function referenceTarget(spec: ReferenceSpec): Target {
  return {
    name: spec.name,
    title: spec.title,
    capabilities: new Set(['broadcast', 'reconnect']),
    unavailableReason: spec.unavailableReason,
    ...(spec.optional ? { optional: true } : {}),
    async start(): Promise<TargetInstance> {
      const script = await compiledScript(spec.script);
      const secret = randomBytes(24).toString('hex');
      const env = { BENCH_JWT_SECRET: secret };
      const label = `${spec.name} reference`;
      const child = await startOnFreePort((port) => startServerChild({ args: [script, '--port', String(port)], port, env, label }));
      const token = tokenCache(secret);
      return {
        pids: [child.pid],
        port: child.port,
        subscriberPath: () => '/',
        reconnectPath: (user, since) => `/?token=${token(user)}&since=${since}`,
        broadcastRequest: (data) => ({ method: 'POST', path: '/publish', body: JSON.stringify({ kind: 'bench', data }) }),
        stop: () => child.stop(),
      };
    },
  };
}

/** The reference target: always available. */
export const wsTarget: Target = referenceTarget({
  name: 'ws',
  title: 'hand-written ws broadcast loop',
  script: fileURLToPath(new URL('./ws-reference.ts', import.meta.url)),
  unavailableReason: () => null,
});
