/**
 * The composition root of `tidings serve`: configuration -> logger -> service -> server -> signals.
 * With `--workers N` (node:cluster) the primary forks N processes that share the port; they share groups
 * through Redis. SIGTERM/SIGINT drain gracefully; a second signal exits at once.
 */
import cluster from 'node:cluster';
import { describeConfig, type Config } from './config/index.js';
import { TidingsError } from './errors.js';
import { configOrExit, fail } from './exit.js';
import { createLogger, redactUrl, type Logger } from './log/index.js';
import { createTidings } from './tidings.js';

function rootLogger(config: Config): Logger {
  return createLogger({ level: config.logLevel, pretty: process.stdout.isTTY === true });
}

/** The address to open in a browser: a wildcard address is reached on loopback. */
function browserUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}/`;
}

async function serveOne(config: Config, log: Logger): Promise<void> {
  let tidings;
  try {
    tidings = await createTidings({ config, logger: log });
  } catch (err) {
    const detail = err instanceof TidingsError ? `${err.code}: ${err.message}` : String(err);
    fail(`cannot start: ${detail}`);
  }
  try {
    const address = await tidings.listen();
    const ops = tidings.metricsServer?.address();
    const metricsPort = ops && typeof ops === 'object' ? ops.port : undefined;
    const url = browserUrl(address.address, address.port);
    log.info({ url, host: address.address, port: address.port, metricsPort, layer: config.redisUrl ? redactUrl(config.redisUrl) : 'memory', database: redactUrl(config.databaseUrl) }, 'listening');
    if (config.demo) log.info({ alice: `${url}?as=alice`, bob: `${url}?as=bob` }, 'try the demo: open it as alice in one window and as bob in another');
  } catch (err) {
    await tidings.close();
    fail(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error('shutdown timed out');
      process.exit(1);
    }, (config.shutdownTimeout + 5) * 1000);
    deadline.unref();
    tidings.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function servePrimary(config: Config, log: Logger): void {
  log.info({ workers: config.workers }, 'starting workers');
  let stopping = false;
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting another');
    cluster.fork();
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** `tidings serve [flags]`. */
export async function serve(argv: readonly string[]): Promise<void> {
  const config = configOrExit(argv);
  const log = rootLogger(config);
  if (config.workers > 1 && cluster.isPrimary) return servePrimary(config, log);
  await serveOne(config, log);
}

/** `tidings config --print [flags]`: the effective configuration, secrets masked. */
export function printConfig(argv: readonly string[]): void {
  const config = configOrExit(argv.filter((a) => a !== '--print'));
  process.stdout.write(`${JSON.stringify(describeConfig(config), null, 2)}\n`);
}
