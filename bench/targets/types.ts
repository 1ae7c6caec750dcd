/**
 * What a scenario needs from a server under test. A target starts instances (child processes) and says
 * how to subscribe, publish and poll on them; scenarios never know which server they talk to.
 */
import type { HttpRequestSpec } from '../load/publisher.js';

/** Features a scenario may require. */
export type Capability =
  /** Site-wide broadcast to every connected socket. */
  | 'broadcast'
  /** Persisted personal notifications over HTTP. */
  | 'notify'
  /** Personal notifications published in-process through the SDK. */
  | 'sdk'
  /** Short and long polling endpoints. */
  | 'poll'
  /** Several processes sharing groups through Redis. */
  | 'redis'
  /** Inbox on PostgreSQL. */
  | 'postgres'
  /** Subscribers that come back with a token and a cursor (`reconnectPath`). */
  | 'reconnect';

/** How to start one instance. */
export interface StartOptions {
  /** Inbox database. Default `sqlite`. */
  readonly database?: 'sqlite' | 'postgres';
  /** Redis URL for the channel layer (multi-process); unset = in-memory layer. */
  readonly redisUrl?: string;
  /** PostgreSQL URL when `database` is `postgres` (a fresh database made by the scenario). */
  readonly postgresUrl?: string;
  /** Instances started with the same namespace share groups (Redis key prefix). */
  readonly namespace?: string;
  /** Start the SDK script (server + in-process publisher) instead of the CLI. */
  readonly sdk?: boolean;
}

/** A command to an SDK instance: publish personal notifications in-process. */
export interface SdkPublishCommand {
  /** Users to notify, round-robin. */
  readonly users: readonly string[];
  readonly durationMs: number;
  /** Messages per second; absent = as fast as `window` concurrent publishes allow. */
  readonly rate?: number;
  readonly window?: number;
}

/** What the SDK instance reports back. */
export interface SdkPublishReport {
  readonly published: number;
  readonly errors: number;
  readonly ms: number;
  readonly firstError?: string;
}

/** Counters a server keeps about itself. */
export interface ServerCounters {
  /** Messages dropped, by reason (`slow_client`, `channel_full`, …). */
  readonly drops: Readonly<Record<string, number>>;
  /** Connections closed, by close code. */
  readonly closes: Readonly<Record<string, number>>;
}

/** A running server under test. */
export interface TargetInstance {
  /** Process ids whose CPU and memory count as the server's. */
  readonly pids: readonly number[];
  readonly port: number;
  /**
   * A substring of the first frame the server sends once a subscriber is ready to receive (Tidings:
   * `"type":"hello"`, sent after the socket joined its groups). Publishing starts only after every socket
   * got it: what is published earlier is in the greeting's cursor, not pushed.
   */
  readonly readyFrame?: string;
  /** Path (with query) a subscriber opens for `user`. */
  subscriberPath(user: string): string;
  /**
   * Path of a subscriber coming back after a disconnect (capability `reconnect`): `user`'s HS256 token and
   * the cursor `since` of what it already has.
   */
  reconnectPath?(user: string, since: number): string;
  /** The frame that completes a reconnect (Tidings: `resumed`, after `hello` and the replay); absent: the 101. */
  readonly reconnectReadyFrame?: string;
  /** The request that broadcasts `data` to everyone. */
  broadcastRequest(data: Readonly<Record<string, unknown>>): HttpRequestSpec;
  /** The request that stores and pushes a personal notification (capability `notify`). */
  notifyRequest?(user: string, data: Readonly<Record<string, unknown>>): HttpRequestSpec;
  /** The poll request of `user` after `since`, waiting up to `waitSeconds` (capability `poll`). */
  pollRequest?(user: string, since: number, waitSeconds: number): HttpRequestSpec;
  /** Read a poll response: notifications received and the new cursor. */
  parsePoll?(body: string): { readonly count: number; readonly seq: number };
  /** The server's own counters (from its metrics), if it exposes them. */
  serverCounters?(): Promise<ServerCounters | null>;
  /** Publish through the SDK in the server process (capability `sdk`, started with `sdk: true`). */
  sdkPublish?(command: SdkPublishCommand): Promise<SdkPublishReport>;
  /** Stop every process of the instance. */
  stop(): Promise<void>;
}

/** A kind of server under test. */
export interface Target {
  /** Short name used on the command line and in tables (`ws`, `tidings`). */
  readonly name: string;
  /** Human description for reports. */
  readonly title: string;
  readonly capabilities: ReadonlySet<Capability>;
  /**
   * A reference that may be missing on some platforms (a native binary): "unavailable" there, never a
   * failure, even in CI smoke runs.
   */
  readonly optional?: boolean;
  /** null when the target can run here, else why not (e.g. "dist/cli.js missing: run npm run build"). */
  unavailableReason(): string | null;
  /** Start an instance on a free port. */
  start(options?: StartOptions): Promise<TargetInstance>;
}
