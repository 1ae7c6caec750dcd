/**
 * Request/reply over a child process's IPC channel: the harness drives load workers and the SDK server
 * this way. Every request has a deadline; a child that exits fails its pending requests.
 */
import type { ChildProcess } from 'node:child_process';
import { withTimeout } from './time.js';

/** Envelope of a request (parent -> child). */
export interface IpcRequest<C = unknown> {
  readonly id: number;
  readonly command: C;
}

/** Envelope of a reply (child -> parent). Id 0 is the child's "ready" announcement. */
export type IpcReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** An unsolicited message from a child (e.g. progress counters). */
export interface IpcEvent {
  readonly event: string;
  readonly data: unknown;
}

/** Parent side: send commands to `child` and await their replies; events go to `onEvent`. */
export class IpcClient<C extends { readonly cmd: string }> {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: IpcReply) => void>();

  constructor(
    readonly child: ChildProcess,
    private readonly label: string,
    onEvent?: (event: IpcEvent) => void,
  ) {
    child.on('message', (raw: unknown) => {
      if (typeof raw === 'object' && raw !== null && 'event' in raw) {
        onEvent?.(raw as IpcEvent);
        return;
      }
      const reply = raw as IpcReply;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    child.on('exit', () => {
      for (const [id, resolve] of this.waiting) resolve({ id, ok: false, error: `${label} exited` });
      this.waiting.clear();
    });
  }

  /** Send `command`; resolves with the child's result, rejects with its error or after `timeoutMs`. */
  async request<T>(command: C, timeoutMs: number): Promise<T> {
    if (!this.child.connected) throw new Error(`${this.label} is not connected`);
    const id = this.nextId++;
    const answer = new Promise<IpcReply>((resolve) => this.waiting.set(id, resolve));
    this.child.send({ id, command } satisfies IpcRequest<C>);
    const reply = await withTimeout(answer, timeoutMs, `${this.label} ${command.cmd}`);
    if (!reply.ok) throw new Error(`${this.label} ${command.cmd} failed: ${reply.error}`);
    return reply.result as T;
  }
}

/** Child side: send an unsolicited event to the parent (dropped when there is no parent). */
export function sendIpcEvent(event: string, data: unknown): void {
  if (process.connected) process.send?.({ event, data } satisfies IpcEvent);
}

/** Child side: answer every request with `handler`, then announce readiness (reply id 0). */
export function serveIpc<C>(handler: (command: C) => Promise<unknown>): void {
  process.on('message', (raw: unknown) => {
    const request = raw as IpcRequest<C>;
    handler(request.command).then(
      (result) => process.send?.({ id: request.id, ok: true, result } satisfies IpcReply),
      (err: unknown) =>
        process.send?.({ id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies IpcReply),
    );
  });
  process.send?.({ id: 0, ok: true, result: 'ready' } satisfies IpcReply);
}
