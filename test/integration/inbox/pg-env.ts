/**
 * PostgreSQL for the inbox integration tests: the shared server at TIDINGS_TEST_DATABASE_URL with a schema
 * of their own per run (dropped afterwards), and a TCP proxy in front of it that tests can cut, to play
 * "the database went away" without touching the shared server.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';

export const DATABASE_URL = process.env.TIDINGS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true';

/** A schema name no other test (or parallel run) uses. */
export function uniqueSchema(label: string): string {
  return `tidings_test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Run one statement on the shared server with a fresh connection. */
export async function adminQuery<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Drop test schemas (cleanup). */
export async function dropSchemas(schemas: Iterable<string>): Promise<void> {
  for (const schema of schemas) await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/**
 * `undefined` when PostgreSQL answers, else a skip message. Under CI=true an unreachable server throws, so
 * the suite fails rather than skips.
 */
export async function postgresSkipReason(): Promise<string | undefined> {
  try {
    await adminQuery('SELECT 1');
    return undefined;
  } catch (err) {
    const reason = `PostgreSQL not reachable at ${DATABASE_URL} (${(err as Error).message}); set TIDINGS_TEST_DATABASE_URL`;
    if (IN_CI) throw new Error(reason);
    return reason;
  }
}

/** A port nothing listens on (a listener on port 0, closed again). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A TCP proxy on 127.0.0.1 to the test database that can be cut, blackholed and resumed. */
export class DatabaseProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private blackhole = false;
  port = 0;

  /** Start forwarding on a free port (or the previous one after `cut`). */
  async start(): Promise<this> {
    const target = new URL(DATABASE_URL);
    const server = createServer((socket) => {
      this.track(socket);
      if (this.blackhole) return; // accept, then never answer
      const upstream = this.track(createConnection(Number(target.port || 5432), target.hostname));
      socket.pipe(upstream).pipe(socket);
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this;
  }

  /** The test database URL, through this proxy. */
  url(): string {
    const url = new URL(DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Drop every connection and refuse new ones until `start()`. */
  async cut(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Drop every connection; accept new ones but never answer them. */
  swallow(): void {
    this.blackhole = true;
    this.dropConnections();
  }

  private dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    return socket;
  }
}
