/**
 * Independent WebSocket peers (not our client): python3-autobahn, python3-websockets and Node's built-in
 * WebSocket, each a script in test/reliability/peers/ speaking one JSON object per stdout line.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Child } from '../../support/process.js';

/** Debian's python (the one with python3-autobahn and python3-websockets), not a pyenv shim on PATH. */
export const PYTHON = process.env.TIDINGS_TEST_PYTHON ?? '/usr/bin/python3';

export const peerScript = (name: string): string => fileURLToPath(new URL(`../peers/${name}`, import.meta.url));

export interface PeerEvent {
  event: string;
  [key: string]: unknown;
}

export interface PeerProcess {
  readonly child: ChildProcess;
  /** The next stdout event; rejects on timeout, on an `error` event, or if the peer exits first. */
  next(timeoutMs?: number): Promise<PeerEvent>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  kill(): void;
}

/** Spawn a peer; `stdin` (if given) is written and closed. */
export function spawnPeer(command: string, args: readonly string[], stdin?: string): PeerProcess {
  const child = Child.spawn({ command, args, env: process.env, stdin: true }).process;
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const events: PeerEvent[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as PeerEvent);
    } catch {
      events.push({ event: 'noise', line });
    }
    wake?.();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      ended = true;
      wake?.();
      resolve(code);
    }),
  );
  child.once('error', (err) => {
    stderr += String(err);
    ended = true;
    wake?.();
  });
  child.stdin?.end(stdin ?? '');
  const describe = () => `${command} ${args.join(' ')}\nstderr: ${stderr.slice(-2000)}`;
  return {
    child,
    exited,
    kill: () => void child.kill('SIGKILL'),
    async next(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const event = events.shift();
        if (event?.event === 'error') throw new Error(`peer failed: ${String(event.message)}\n${describe()}`);
        if (event && event.event !== 'noise') return event;
        if (event) continue;
        if (ended) throw new Error(`peer exited without an event\n${describe()}`);
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`no event from the peer within ${timeoutMs} ms\n${describe()}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          wake = () => {
            clearTimeout(timer);
            wake = null;
            resolve();
          };
        });
      }
    },
  };
}
