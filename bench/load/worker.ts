/**
 * A load-generator worker: a child process holding socket pools, driven by the harness over IPC.
 * Several workers spread sockets over processes (file-descriptor limit, CPU). Ends when its parent goes.
 */
import { sendIpcEvent, serveIpc } from '../lib/ipc.js';
import { mergePoolStats } from './merge.js';
import { SocketPool } from './pool.js';
import type { WorkerCommand } from './protocol.js';

const pools = new Map<string, SocketPool>();

function poolFor(command: Extract<WorkerCommand, { cmd: 'connect' }>): SocketPool {
  const key = `${command.host}:${command.port}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new SocketPool(command);
    pools.set(key, pool);
  }
  return pool;
}

function closeAll(): void {
  for (const pool of pools.values()) pool.close();
  pools.clear();
}

async function execute(command: WorkerCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'connect':
      return poolFor(command).connect(command.sockets);
    case 'reset':
      for (const pool of pools.values()) pool.reset();
      return null;
    case 'stats':
      return mergePoolStats([...pools.values()].map((pool) => pool.stats(command.expected, command.latency === true)));
    case 'drop':
      for (const pool of pools.values()) pool.close();
      return null;
    case 'close':
      closeAll();
      setImmediate(() => process.disconnect?.());
      return null;
  }
}

/** How often the worker reports its delivery total while it changes (ms). */
const PROGRESS_INTERVAL_MS = 10;
let reported = -1;
setInterval(() => {
  let total = 0;
  for (const pool of pools.values()) total += pool.total;
  if (total === reported) return;
  reported = total;
  sendIpcEvent('progress', total);
}, PROGRESS_INTERVAL_MS).unref();

serveIpc(execute);
// Without a parent there is nobody to report to: close everything and let the process end.
process.on('disconnect', closeAll);
