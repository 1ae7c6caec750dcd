/**
 * A second, plain HTTP listener for operations (`/metrics`, `/healthz`, `/readyz`), enabled by the
 * `metricsPort` setting so Prometheus can scrape a port that is never exposed through the proxy.
 */
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The operations listener: its HTTP server, listen and close. */
export interface OpsServer {
  readonly httpServer: Server;
  /** Start listening on `host:port` (port 0 picks a free port); resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /** Stop listening and cut open connections (scrapes are short). Idempotent. */
  close(): Promise<void>;
}

/** Listen on `host:port` (port 0 picks a free port); resolves with the bound address, rejects on error. */
export function listenOn(httpServer: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise<AddressInfo>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve(httpServer.address() as AddressInfo);
    });
  });
}

/** Create (but do not start) the operations listener serving `handler`. */
export function createOpsServer(handler: RequestListener, options: { host: string; port: number }): OpsServer {
  const httpServer = createHttpServer(handler);
  let closing: Promise<void> | null = null;
  return {
    httpServer,
    listen: () => listenOn(httpServer, options.port, options.host),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        if (!httpServer.listening) return resolve();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      })),
  };
}
