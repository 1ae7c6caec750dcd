/**
 * Starts a client against fake sockets and records everything it emits.
 */
import type { TestContext } from 'node:test';
import {
  createTidingsClient,
  type Announcement,
  type ReadChange,
  type Resync,
  type TidingsBroadcast,
  type TidingsClient,
  type TidingsClientError,
  type TidingsClientOptions,
  type TidingsNotification,
  type TidingsState,
} from '../../../src/client/index.js';
import { createFakes, flush, type Fakes } from './fakes.js';

export const URL_BASE = 'ws://tidings.test/inform/';

/** What a client emitted, in order. */
export interface Recording {
  states: TidingsState[];
  errors: TidingsClientError[];
  notifications: TidingsNotification[];
  broadcasts: TidingsBroadcast[];
  announcements: Announcement[];
  unread: number[];
  resyncs: Resync[];
  reads: ReadChange[];
}

export interface Harness extends Fakes {
  client: TidingsClient;
  events: Recording;
  /** How many times getToken() was called (tokens are `tok1`, `tok2`, …). */
  tokenCalls(): number;
}

/** Records every event of `client`. */
export function record(client: TidingsClient): Recording {
  const events: Recording = { states: [], errors: [], notifications: [], broadcasts: [], announcements: [], unread: [], resyncs: [], reads: [] };
  client.on('state', (s) => events.states.push(s));
  client.on('error', (e) => events.errors.push(e));
  client.on('notification', (n) => events.notifications.push(n));
  client.on('broadcast', (b) => events.broadcasts.push(b));
  client.on('announce', (a) => events.announcements.push(a));
  client.on('unread', (n) => events.unread.push(n));
  client.on('resync', (r) => events.resyncs.push(r));
  client.on('read', (r) => events.reads.push(r));
  return events;
}

/**
 * A client with fake sockets, no BroadcastChannel and a fixed jitter, closed after the test.
 * Waits until its first socket exists.
 */
export async function startClient(t: TestContext, options: TidingsClientOptions = {}, fakes = createFakes()): Promise<Harness> {
  let calls = 0;
  const client = createTidingsClient({
    url: URL_BASE,
    WebSocket: fakes.WebSocket,
    BroadcastChannel: null,
    getToken: () => `tok${++calls}`,
    random: () => 0.5,
    ...options,
  });
  t.after(() => client.close());
  const events = record(client);
  await flush();
  return { ...fakes, client, events, tokenCalls: () => calls };
}

/** Opens the latest socket and sends `hello`. */
export async function accept(h: Harness, helloFrame: object): Promise<void> {
  const socket = h.last();
  socket.open();
  socket.receive(helloFrame);
  await flush();
}
