import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { ConfigError, resolveOptions, type ServerOptions } from './config.js';
import { loadVendors } from './engine/load-vendors.js';
import { createLogger } from './logger.js';

export interface VendorSummary {
  name: string;
  title: string;
  baseUrl: string;
}

/** A running standin: where it listens, what it serves, and how to stop it. */
export interface RunningServer {
  /** `http://127.0.0.1:4010` */
  url: string;
  host: string;
  port: number;
  vendors: VendorSummary[];
  /** Stops accepting connections, lets requests in flight finish (up to 5 s), then resolves. */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 5000;

/**
 * The programmatic entry, for test suites: loads and compiles every spec, then listens.
 * Rejects with a SpecError (exit code 2 in the CLI) when a spec is invalid.
 */
export async function createServer(options: ServerOptions = {}): Promise<RunningServer> {
  const resolved = resolveOptions(options);
  const logger = createLogger(resolved.log, resolved.logDestination);
  const vendors = await loadVendors(resolved.specs, resolved.vendors, (message) =>
    logger.warn(message),
  );
  const app = createApp(vendors, { cors: resolved.cors, bodyLimit: resolved.bodyLimit, logger });
  const server = createHttpServer(app);
  await listen(server, resolved.port, resolved.host);

  const { port } = server.address() as AddressInfo;
  const url = `http://${resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host}:${port}`;
  const summaries = vendors.map((vendor) => ({
    name: vendor.name,
    title: vendor.title,
    baseUrl: url + vendor.mountPath,
  }));
  logger.info({ url }, `standin listening on ${url}`);
  for (const vendor of summaries)
    logger.info(
      { vendor: vendor.name, baseUrl: vendor.baseUrl },
      `  ${vendor.name}: ${vendor.baseUrl}`,
    );
  return {
    url,
    host: resolved.host,
    port,
    vendors: summaries,
    close: () => closeGracefully(server),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError(
              `port ${port} on ${host} is already in use (use --port, or --port 0 for a free one)`,
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeGracefully(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
