import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createControlPlane,
  currentCredentials,
  type VendorCredential,
} from './admin/control-plane.js';
import { createRequestListener, type ControlPlaneAccess } from './app.js';
import { Clock } from './clock.js';
import {
  CONTROL_PLANE_SPEC,
  ConfigError,
  resolveOptions,
  type ServerOptions,
  type StoreLocation,
} from './config.js';
import { compileVendor, type Vendor } from './engine/compile-vendor.js';
import { guardConnections } from './engine/connection-guard.js';
import { loadVendors } from './engine/load-vendors.js';
import { Faults } from './engine/faults.js';
import { isLoopbackName } from './engine/host-check.js';
import { NamespaceRegistry } from './engine/namespace-registry.js';
import { DEFAULT_NAMESPACE } from './engine/namespace.js';
import { Observations, type Violation } from './engine/observations.js';
import type { Runtime } from './engine/runtime.js';
import { coverageOf, type OperationCoverage } from './admin/coverage.js';
import { createLogger, type Logger } from './logger.js';
import { loadSpec } from './spec/load-spec.js';
import { readFixtureFile } from './state/fixture-file.js';
import { MemoryStore } from './state/memory-store.js';
import { RedisStore } from './state/redis-store.js';
import { StoreUnavailableError, type Store } from './state/store.js';
import { RateLimitSwitches } from './state/rate-limit-switches.js';
import { StateError, VendorStates } from './state/vendor-states.js';
import { createAjvPair } from './validators/ajv.js';

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
  /** The control plane's base URL: `http://127.0.0.1:4010/__admin`. */
  adminUrl: string;
  /** Every credential valid now (as `GET /__admin/credentials` answers). */
  credentials(): Promise<VendorCredential[]>;
  /** Every contract violation so far, in every namespace. */
  violations(): Promise<Violation[]>;
  /** How often each documented status was served, summed over every namespace. */
  coverage(): Promise<OperationCoverage[]>;
  /** Stops accepting connections, lets requests in flight finish (up to 5 s), then resolves. */
  close(): Promise<void>;
  /** Like close(), but answers, once nothing is in flight, every violation and the coverage. */
  shutdown(): Promise<{ violations: Violation[]; coverage: OperationCoverage[] }>;
}

const CLOSE_GRACE_MS = 5000;

/**
 * The programmatic entry, for test suites: loads and compiles every spec, prepares the vendors'
 * states, then listens. Rejects with a SpecError or ConfigError (exit code 2 in the CLI) when a
 * spec, an option or the `--state` fixture is invalid.
 */
export async function createServer(options: ServerOptions = {}): Promise<RunningServer> {
  const resolved = resolveOptions(options);
  const logger = createLogger(resolved.log, resolved.logDestination);
  const warn = (message: string): void => logger.warn(message);
  const ajv = createAjvPair(warn);
  const vendors = await loadVendors(resolved.specs, resolved.vendors, warn, ajv);
  const store = await openStore(resolved.store, logger);
  // A start that fails after the store is open must not leave a Redis connection holding the process.
  const orCloseStore = async (error: unknown): Promise<never> => {
    await store.close();
    throw error;
  };
  const runtime = await createRuntime(
    store,
    vendors,
    ajv.body.compile.bind(ajv.body),
    resolved.state,
    rateLimitsAtStart(vendors, resolved.rateLimits),
    resolved.journalSize,
    resolved.maxNamespaces,
    logger,
  ).catch(orCloseStore);
  // `POST /__admin/shutdown` stops the server as a signal would: through the caller's own stop
  // (the CLI's, which prints its reports) or, for a server made in code, by closing it.
  const requestShutdown = (): void => {
    if (options.onShutdownRequest) options.onShutdownRequest();
    else void running.close();
  };
  const controlPlane = compileVendor(
    await loadSpec(CONTROL_PLANE_SPEC, '__admin'),
    ajv,
    createControlPlane(runtime, vendors, requestShutdown),
    warn,
  );

  const controlPlaneAccess = controlPlaneAccessOf(resolved.host, resolved.adminToken);
  if (controlPlaneAccess.kind === 'off') logger.warn(controlPlaneAccess.reason);
  const listener = createRequestListener(vendors, controlPlane, {
    cors: resolved.cors,
    corsOrigins: resolved.corsOrigins,
    host: { loopbackOnly: isLoopbackName(resolved.host), allowed: resolved.allowedHosts },
    bodyLimit: resolved.bodyLimit,
    logger,
    runtime,
    controlPlane: controlPlaneAccess,
  });
  const server = createHttpServer(
    {
      headersTimeout: resolved.headersTimeoutMs,
      requestTimeout: resolved.requestTimeoutMs,
      // Timeouts are checked this often; Node's default (30 s) would let a slow client linger.
      connectionsCheckingInterval: Math.min(1000, Math.ceil(resolved.headersTimeoutMs / 2)),
      keepAliveTimeout: 5000,
    },
    listener,
  );
  // Not server.maxConnections: it refuses newcomers even while idle sockets hold every slot.
  guardConnections(server, resolved.maxConnections);
  await listen(server, resolved.port, resolved.host).catch(orCloseStore);

  const { port } = server.address() as AddressInfo;
  const url = `http://${resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host}:${port}`;
  const summaries = vendors.map((vendor) => ({
    name: vendor.name,
    title: vendor.title,
    baseUrl: url + vendor.mountPath,
  }));
  logger.info({ url }, `standin listening on ${url}`);
  for (const vendor of summaries) {
    logger.info(
      { vendor: vendor.name, baseUrl: vendor.baseUrl },
      `  ${vendor.name}: ${vendor.baseUrl}`,
    );
  }
  logger.info(
    { adminUrl: url + controlPlane.mountPath },
    `  control plane: ${url}${controlPlane.mountPath}`,
  );
  const violations = async (): Promise<Violation[]> => {
    const all: Violation[] = [];
    for (const namespace of await runtime.observations.namespaces()) {
      all.push(...(await runtime.observations.violations(namespace)));
    }
    return all;
  };
  const coverage = async (): Promise<OperationCoverage[]> =>
    coverageOf(vendors, runtime.observations, await runtime.observations.namespaces());
  let closing: Promise<void> | undefined;
  const running: RunningServer = {
    url,
    host: resolved.host,
    port,
    vendors: summaries,
    adminUrl: url + controlPlane.mountPath,
    credentials: () => currentCredentials(runtime, vendors, DEFAULT_NAMESPACE),
    violations,
    coverage,
    close: async () => {
      closing ??= closeGracefully(server)
        // Journal entries still waiting for the store get a last chance, and a word if lost.
        .then(() => runtime.observations.close())
        .then((lost) => {
          if (lost > 0)
            logger.warn(
              { lost },
              `${lost} journal, violation or coverage entries could not be written to the store before closing`,
            );
        })
        .then(() => runtime.store.close())
        .then(() => logger.flush());
      await closing;
    },
    shutdown: async () => {
      await closeGracefully(server);
      try {
        return { violations: await violations(), coverage: await coverage() };
      } finally {
        // Closed even when the reports cannot be read (the store went away).
        await running.close();
      }
    },
  };
  return running;
}

async function openStore(location: StoreLocation, logger: Logger): Promise<Store> {
  if (location.kind === 'memory') return new MemoryStore();
  return RedisStore.connect(location.url, {
    onHealthChange: (healthy, message) => {
      if (healthy) logger.info(message);
      else logger.warn(message);
    },
  });
}

async function createRuntime(
  store: Store,
  vendors: readonly Vendor[],
  compile: ConstructorParameters<typeof VendorStates>[3],
  stateFile: string | undefined,
  rateLimitsOn: ReadonlySet<string>,
  journalSize: number,
  maxNamespaces: number,
  logger: Logger,
): Promise<Runtime> {
  const clock = new Clock(store);
  const fixtures = stateFile === undefined ? {} : await readFixtureFile(stateFile);
  const modules = new Map(vendors.map((vendor) => [vendor.name, vendor.module]));
  let states: VendorStates;
  try {
    states = new VendorStates(store, clock, modules, compile, fixtures);
  } catch (error) {
    if (error instanceof StateError)
      throw new ConfigError(`${stateFile ?? 'state'}: ${error.message}`);
    throw error;
  }
  // The starting fixture, now: its times are relative to the start, and a broken one shows at once.
  // Only where the store has no state yet: on a shared store, other replicas' state stays.
  try {
    await states.seedMissing(DEFAULT_NAMESPACE);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    logger.warn(`${error.message}; the states are created once the store answers`);
  }
  return {
    store,
    clock,
    states,
    rateLimits: new RateLimitSwitches(store, rateLimitsOn),
    faults: new Faults(store),
    observations: new Observations(store, clock, journalSize),
    namespaces: new NamespaceRegistry(store, maxNamespaces),
  };
}

/**
 * The control plane can reset every state and read every credential, so it is open only where
 * nobody else can reach it (a loopback address), unless an admin token protects it.
 */
export function controlPlaneAccessOf(
  host: string,
  adminToken: string | undefined,
): ControlPlaneAccess {
  if (adminToken !== undefined) return { kind: 'token', token: adminToken };
  if (isLoopbackName(host)) return { kind: 'open' };
  return {
    kind: 'off',
    reason: `the control plane (/__admin) is off: standin listens on ${host}, which others can reach, and no --admin-token protects it`,
  };
}

function rateLimitsAtStart(
  vendors: readonly Vendor[],
  wanted: boolean | readonly string[],
): Set<string> {
  const limited = vendors.filter((vendor) => vendor.module.rateLimit).map((vendor) => vendor.name);
  if (wanted === false) return new Set();
  if (wanted === true) return new Set(limited);
  const unknown = wanted.filter((vendor) => !limited.includes(vendor));
  if (unknown.length > 0) {
    throw new ConfigError(
      `rate limits are documented only for ${limited.join(', ') || 'no loaded vendor'}; not for ${unknown.join(', ')}`,
    );
  }
  return new Set(wanted);
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
