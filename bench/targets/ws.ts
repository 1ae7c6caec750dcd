/** Target `ws`: the hand-written broadcast loop of ws-reference.ts, one child process per instance. */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { compiledScript } from '../lib/bundle.js';
import { startOnFreePort, startServerChild } from '../lib/child.js';
import { tokenCache } from '../lib/jwt.js';
import type { Target, TargetInstance } from './types.js';

const SERVER = fileURLToPath(new URL('./ws-reference.ts', import.meta.url));

/** The reference target: always available, broadcast only. */
export const wsTarget: Target = {
  name: 'ws',
  title: 'hand-written ws broadcast loop',
  capabilities: new Set(['broadcast', 'reconnect']),
  unavailableReason: () => null,
  async start(): Promise<TargetInstance> {
    const script = await compiledScript(SERVER);
    const secret = randomBytes(24).toString('hex');
    const env = { BENCH_JWT_SECRET: secret };
    const child = await startOnFreePort((port) => startServerChild({ args: [script, '--port', String(port)], port, env, label: 'ws reference' }));
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
