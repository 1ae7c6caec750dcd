/**
 * Entry point of a child process running the whole Tidings service (`startTestServer`: memory layer,
 * `sqlite::memory:`, test secrets) with the settings given as JSON in argv[2]. Run by `startChildServer`,
 * so that hostile input is aimed at a process whose memory, file descriptors and liveness the test can
 * measure from outside. Logs at `warn` and above go to stderr as pino JSON lines.
 *
 * IPC: the parent sends `{ id, cmd }`; the child answers `{ id, ok, value }`.
 * - `heap`: `process.memoryUsage()` after two full GCs (the child runs with --expose-gc).
 * - `connections`: open WebSocket connections.
 */
import { createLogger } from '../../../src/log/index.js';
import { startTestServer } from '../../../src/testing/index.js';

interface Request {
  id: number;
  cmd: 'heap' | 'connections';
}

const settings = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const logger = createLogger({ level: 'warn', destination: process.stderr });
const srv = await startTestServer({ settings, logger });

function answer(req: Request): unknown {
  if (req.cmd === 'connections') return srv.tidings.server.connections;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage();
}

process.on('message', (req: Request) => {
  process.send?.({ id: req.id, ok: true, value: answer(req) });
});
// The parent going away (or closing the channel) stops the server.
process.once('disconnect', () => {
  void srv.close().finally(() => process.exit(0));
});
process.send?.({ type: 'listening', url: srv.url });
