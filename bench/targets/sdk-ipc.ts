/** The harness side of the SDK server's IPC: one command, "publish personal notifications". */
import type { ChildProcess } from 'node:child_process';
import { IpcClient } from '../lib/ipc.js';
import type { SdkPublishCommand, SdkPublishReport } from './types.js';

/** Commands understood by tidings-sdk-server.ts. */
export type SdkCommand = { readonly cmd: 'publish' } & SdkPublishCommand;

/** A function that runs one publish command in `child` (deadline: its duration plus 60 s). */
export function sdkRequester(child: ChildProcess): (command: SdkPublishCommand) => Promise<SdkPublishReport> {
  const client = new IpcClient<SdkCommand>(child, 'tidings sdk server');
  return (command) => client.request<SdkPublishReport>({ cmd: 'publish', ...command }, command.durationMs + 60_000);
}
