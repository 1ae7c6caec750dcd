/** The escalating server fixture (fixtures/escalating-server.ts) as a child process, killed after the test. */
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServe, testEnv, type ServerProcess } from '../../support/tidings.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/escalating-server.ts', import.meta.url));

/** Start it with these TIDINGS_* settings (and REACH_TIMINGS) over the test environment; resolves once it listens. */
export async function serveEscalating(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServe({ script: ['--import', 'tsx', SCRIPT], env: testEnv({ ...env, TIDINGS_LOG_LEVEL: 'warn' }) });
  after(() => server.kill());
  return server;
}
