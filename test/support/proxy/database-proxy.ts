/**
 * A TCP proxy on 127.0.0.1 in front of the test PostgreSQL that tests can cut, blackhole and resume, to
 * play "the database went away" without touching the shared server.
 */
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { DATABASE_URL } from '../services/postgres.js';

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
