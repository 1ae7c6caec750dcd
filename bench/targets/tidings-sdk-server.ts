/**
 * The SDK path of Tidings, as an application embeds it: this process builds the service with
 * `createTidings({ config })`, serves `/inform/` with `listen()`, and publishes personal notifications
 * in-process with `tidings.notify(...)` when the harness asks over IPC.
 * Run (by the harness): `node tidings-sdk-server.mjs --port <p> --dist <repo>/dist/index.js`, with the
 * TIDINGS_* environment of the instance.
 */
import { pathToFileURL } from 'node:url';
import type * as TidingsModule from '../../src/index.js';
import { serveIpc } from '../lib/ipc.js';
import { payload } from '../load/payload.js';
import { publishAtRate, publishWindowed, type PublishReport } from '../load/publisher.js';
import type { SdkCommand } from './sdk-ipc.js';

function option(name: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  if (!value) throw new Error(`usage: tidings-sdk-server --port <port> --dist <path to dist/index.js> (missing --${name})`);
  return value;
}

async function start(): Promise<TidingsModule.Tidings> {
  const sdk = (await import(pathToFileURL(option('dist')).href)) as typeof TidingsModule;
  const config = sdk.loadConfig({ env: process.env, argv: ['--host', '127.0.0.1', '--port', option('port')] });
  const tidings = await sdk.createTidings({ config });
  await tidings.listen();
  return tidings;
}

function runPublish(tidings: TidingsModule.Tidings, command: SdkCommand): Promise<PublishReport> {
  const users = command.users;
  const publish = async (i: number): Promise<void> => {
    await tidings.notify({ to: users[i % users.length] ?? 'nobody', kind: 'bench', data: payload(i) });
  };
  if (command.rate !== undefined) return publishAtRate({ rate: command.rate, durationMs: command.durationMs, publish });
  return publishWindowed({ window: command.window ?? 256, durationMs: command.durationMs, publish });
}

const tidings = await start();
serveIpc<SdkCommand>(async (command) => runPublish(tidings, command));
process.on('SIGTERM', () => {
  void tidings.close().finally(() => process.exit(0));
});
