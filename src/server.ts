import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createControlPlane,
  currentCredentials,
  type VendorCredential,
} from './admin/control-plane.js';
import { createRequestListener, type AppOptions, type ControlPlaneAccess } from './app.js';
import { Clock } from './clock.js';
import { connect, type ControlPlaneClient } from './client/control-plane-client.js';
import {
  CONTROL_PLANE_SPEC,
  ConfigError,
  resolveOptions,
  type ResolvedOptions,
  type ServerOptions,
  type StoreLocation,
} from './config.js';
import { compileVendor, type Vendor } from './engine/compile-vendor.js';
import { mountAt, mountVendors } from './engine/mounts.js';
import { guardConnections } from './engine/connection-guard.js';
import { journalStreamsOf } from './admin/journal-stream.js';
import { loadVendors, type VendorRegistry } from './engine/load-vendors.js';
import { vendorModulesFor } from './handlers/index.js';
import { discoverSpecs } from './spec/discover-specs.js';
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
import { createAjvPair, type AjvPair } from './validators/ajv.js';
import { ModuleVersions } from './engine/fresh-modules.js';
import { VendorSet, type VendorGeneration } from './engine/reload.js';
import { watchServed } from './watch-served.js';

/** The key of the main port's listener in a generation (the others are vendor names). */
const MAIN_LISTENER = '';

/** What one load of the spec and module files made. */
interface Served {
  ajv: AjvPair;
  vendors: Vendor[];
  layout: Layout;
}

/** One version of everything served, swapped in whole by a reload (engine/reload.ts). */
interface Generation extends VendorGeneration {
  runtime: Runtime;
  layout: Layout;
  controlPlane: Vendor;
  /** A request listener for the main port (MAIN_LISTENER) and one per vendor with its own port. */
  listeners: ReadonlyMap<string, RequestListener>;
}

export interface VendorSummary {
  name: string;
  title: string;
  /** Where it is served on the main port. */
  baseUrl: string;
  /** Where it is served on a port of its own (`--vendor-port`), at its real base path. */
  ownBaseUrl?: string;
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
  /**
   * A typed client of this server's control plane (default namespace, with its admin token):
   * `admin.reset()`, `admin.clock.advance('P14DT1H')`, `admin.namespace('worker-2')`, ... On a
   * non-loopback host without an admin token the control plane is off, and every call throws.
   */
  admin: ControlPlaneClient;
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
  // Everything made from the spec and module files: made again at each reload (`--watch`), with
  // an Ajv of its own, so that an old version's compiled schemas go with it.
  const moduleVersions = new ModuleVersions();
  const loadServed = async (): Promise<Served> => {
    const ajv = createAjvPair(warn);
    const found = await vendorRegistry(resolved, warn);
    // At a reload, the user's module files as they are now, not as Node first imported them.
    const registry = await moduleVersions.current(found);
    // Each spec's warnings (a lenient load's repairs, placed in the file) reach the log as it loads.
    // A spec without a module keeps the resources its paths describe (handlers/inferred/), unless
    // `stateless`; `dynamic` too, since it answers every request from the spec, never a handler.
    const inferState = !resolved.stateless && !resolved.dynamic;
    const vendors = await loadVendors(
      resolved.specs,
      resolved.vendors,
      warn,
      ajv,
      registry,
      { lenient: resolved.lenient, warn },
      inferState,
    );
    return { ajv, vendors, layout: layoutOf(vendors, resolved) };
  };
  const first = await loadServed();
  const rateLimitsOn = rateLimitsAtStart(first.vendors, resolved.rateLimits);
  const controlPlaneSpec = await loadSpec(CONTROL_PLANE_SPEC, '__admin');
  const store = await openStore(resolved.store, logger);
  // A start that fails after the store is open must not leave a Redis connection holding the process.
  const orCloseStore = async (error: unknown): Promise<never> => {
    await store.close();
    throw error;
  };
  const clock = new Clock(store);
  // What every version of the vendors shares: the store, the clock, the journal, the namespaces.
  const shared: Omit<Runtime, 'states'> = {
    store,
    clock,
    rateLimits: new RateLimitSwitches(store, rateLimitsOn),
    faults: new Faults(store),
    observations: new Observations(store, clock, resolved.journalSize),
    namespaces: new NamespaceRegistry(store, resolved.maxNamespaces),
  };
  // `POST /__admin/shutdown` stops the server as a signal would: through the caller's own stop
  // (the CLI's, which prints its reports) or, for a server made in code, by closing it.
  const requestShutdown = (): void => {
    if (options.onShutdownRequest) options.onShutdownRequest();
    else void running.close();
  };
  const controlPlaneAccess = controlPlaneAccessOf(resolved.host, resolved.adminToken);
  if (controlPlaneAccess.kind === 'off') logger.warn(controlPlaneAccess.reason);
  const generationOf = async (version: number, served: Served): Promise<Generation> => {
    const compile = served.ajv.body.compile.bind(served.ajv.body);
    const { states, fixtures } = await createStates(
      store,
      clock,
      served.vendors,
      compile,
      resolved.state,
    );
    const runtime: Runtime = { ...shared, states };
    const controlPlane = compileVendor(
      controlPlaneSpec,
      served.ajv,
      createControlPlane(runtime, served.vendors, requestShutdown, compile),
      warn,
    );
    const appOptions: AppOptions = {
      cors: resolved.cors,
      corsOrigins: resolved.corsOrigins,
      host: { loopbackOnly: isLoopbackName(resolved.host), allowed: resolved.allowedHosts },
      bodyLimit: resolved.bodyLimit,
      logger,
      runtime,
      controlPlane: controlPlaneAccess,
      dynamic: resolved.dynamic,
    };
    const listeners = new Map<string, RequestListener>([
      [MAIN_LISTENER, createRequestListener(served.layout.main, controlPlane, appOptions)],
    ]);
    for (const { vendor } of served.layout.ownPorts)
      listeners.set(vendor.name, createRequestListener([vendor], controlPlane, appOptions));
    return {
      version,
      vendors: served.vendors,
      states,
      fixtures,
      runtime,
      layout: served.layout,
      controlPlane,
      listeners,
    };
  };
  const firstGeneration = await generationOf(1, first).catch(orCloseStore);
  // The starting fixture, now: its times are relative to the start, and a broken one shows at once.
  // Only where the store has no state yet: on a shared store, other replicas' state stays.
  try {
    await firstGeneration.states.seedMissing(DEFAULT_NAMESPACE);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) return orCloseStore(error);
    logger.warn(`${error.message}; the states are created once the store answers`);
  }
  // Read once per request, when it arrives: a request keeps the version it started with.
  const vendorSet = new VendorSet(firstGeneration);

  const servers: Server[] = [];
  // Every port serves the control plane, the health check, the specs and the vendor list too.
  const startListener = async (listener: string, port: number): Promise<string> => {
    const server = createHttpServer(
      {
        headersTimeout: resolved.headersTimeoutMs,
        requestTimeout: resolved.requestTimeoutMs,
        // Timeouts are checked this often; Node's default (30 s) would let a slow client linger.
        connectionsCheckingInterval: Math.min(1000, Math.ceil(resolved.headersTimeoutMs / 2)),
        keepAliveTimeout: 5000,
      },
      (request, response) => {
        // A reload keeps the vendors with a port of their own (see reloadedGeneration).
        const serve = vendorSet.current.listeners.get(listener);
        serve?.(request, response);
      },
    );
    // Not server.maxConnections: it refuses newcomers even while idle sockets hold every slot.
    guardConnections(server, resolved.maxConnections);
    await listen(server, port, resolved.host);
    servers.push(server);
    return urlOf(resolved.host, (server.address() as AddressInfo).port);
  };
  const orCloseAll = async (error: unknown): Promise<never> => {
    await Promise.all(servers.map((server) => closeGracefully(server)));
    return orCloseStore(error);
  };
  const { layout } = firstGeneration;
  const adminPath = firstGeneration.controlPlane.mountPath;
  const url = await startListener(MAIN_LISTENER, resolved.port).catch(orCloseAll);
  const port = Number(new URL(url).port);
  const ownUrls = new Map<string, string>();
  for (const { vendor, port: vendorPort } of layout.ownPorts) {
    ownUrls.set(vendor.name, await startListener(vendor.name, vendorPort).catch(orCloseAll));
  }
  const summaries: VendorSummary[] = layout.main.map((vendor) => {
    const ownUrl = ownUrls.get(vendor.name);
    return {
      name: vendor.name,
      title: vendor.title,
      baseUrl: url + vendor.mountPath,
      ...(ownUrl === undefined ? {} : { ownBaseUrl: ownUrl + vendor.basePath }),
    };
  });
  logger.info({ url }, `standin listening on ${url}`);
  for (const vendor of summaries) {
    const own = vendor.ownBaseUrl === undefined ? '' : ` and ${vendor.ownBaseUrl}`;
    logger.info(
      { vendor: vendor.name, baseUrl: vendor.baseUrl, ownBaseUrl: vendor.ownBaseUrl },
      `  ${vendor.name}: ${vendor.baseUrl}${own}`,
    );
  }
  logger.info({ adminUrl: url + adminPath }, `  control plane: ${url}${adminPath}`);
  const violations = async (): Promise<Violation[]> => {
    const all: Violation[] = [];
    for (const namespace of await shared.observations.namespaces()) {
      all.push(...(await shared.observations.violations(namespace)));
    }
    return all;
  };
  const coverage = async (): Promise<OperationCoverage[]> =>
    coverageOf(
      vendorSet.current.layout.main,
      shared.observations,
      await shared.observations.namespaces(),
    );
  const watching = resolved.watch
    ? await watchServed(
        resolved,
        vendorSet,
        logger,
        async (version) => {
          const served = await loadServed();
          sameOwnPorts(vendorSet.current.layout, served.layout);
          return generationOf(version, served);
        },
        { namespaces: shared.namespaces, clock, logger },
      )
    : undefined;
  let closing: Promise<void> | undefined;
  const running: RunningServer = {
    url,
    host: resolved.host,
    port,
    vendors: summaries,
    adminUrl: url + adminPath,
    admin: connect(url, { adminToken: resolved.adminToken }),
    credentials: () =>
      currentCredentials(vendorSet.current.runtime, vendorSet.current.vendors, DEFAULT_NAMESPACE),
    violations,
    coverage,
    close: async () => {
      // Watching stops first: no reload may start on a store that is closing.
      closing ??= (watching?.close() ?? Promise.resolve())
        // An open journal stream never ends by itself: it would hold its server for the grace.
        .then(() => journalStreamsOf(shared.observations).closeAll())
        .then(() => Promise.all(servers.map((server) => closeGracefully(server))))
        // Journal entries still waiting for the store get a last chance, and a word if lost.
        .then(() => shared.observations.close())
        .then((lost) => {
          if (lost > 0)
            logger.warn(
              { lost },
              `${lost} journal, violation or coverage entries could not be written to the store before closing`,
            );
        })
        .then(() => store.close())
        .then(() => flushed(logger));
      await closing;
    },
    shutdown: async () => {
      journalStreamsOf(shared.observations).closeAll();
      await Promise.all(servers.map((server) => closeGracefully(server)));
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

/**
 * The vendor modules the engine pairs with the specs, found by one convention (src/handlers/index.ts):
 * the built-in ones in src/handlers/<vendor>/, replaced by a module beside a served spec
 * (`<vendor>.handlers.ts`, `<vendor>/index.ts`), replaced by one in the `handlers` folder.
 */
async function vendorRegistry(
  resolved: ResolvedOptions,
  warn: (message: string) => void,
): Promise<VendorRegistry> {
  return vendorModulesFor({
    specFiles: await discoverSpecs(resolved.specs),
    ...(resolved.handlers === undefined ? {} : { handlersDir: resolved.handlers }),
    warn,
  });
}

interface Layout {
  /** The vendors as the main port serves them. */
  main: Vendor[];
  /** Vendors with a port of their own, each mounted there at its real base path. */
  ownPorts: Array<{ vendor: Vendor; port: number }>;
}

function layoutOf(vendors: readonly Vendor[], resolved: ResolvedOptions): Layout {
  const mounts: Record<string, string> = { ...resolved.mounts };
  if (resolved.basePath !== undefined) {
    const [only, ...others] = vendors;
    if (!only || others.length > 0)
      throw new ConfigError(
        `--base-path places one spec, and ${vendors.length} are loaded; use --mount NAME=PATH for each`,
      );
    mounts[only.name] = resolved.basePath;
  }
  const main = mountVendors(vendors, { mounts });
  const ports: Record<string, number> =
    resolved.vendorPortsFrom === undefined
      ? { ...resolved.vendorPorts }
      : Object.fromEntries(
          vendors.map((vendor, index) => [vendor.name, (resolved.vendorPortsFrom ?? 0) + index]),
        );
  const unknown = Object.keys(ports).filter(
    (name) => !vendors.some((vendor) => vendor.name === name),
  );
  if (unknown.length > 0)
    throw new ConfigError(
      `--vendor-port names ${unknown.join(', ')}, but the loaded specs are ${vendors.map((vendor) => vendor.name).join(', ')}`,
    );
  const ownPorts = vendors
    .filter((vendor) => ports[vendor.name] !== undefined)
    .map((vendor) => ({ vendor: mountAt(vendor, vendor.basePath), port: ports[vendor.name] ?? 0 }));
  return { main, ownPorts };
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Every log line written out: the caller may print a last line of its own after this. */
function flushed(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.flush(() => resolve());
  });
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

/** The vendors' states as a generation of them keeps them, with the `--state` fixture it read. */
async function createStates(
  store: Store,
  clock: Clock,
  vendors: readonly Vendor[],
  compile: ConstructorParameters<typeof VendorStates>[3],
  stateFile: string | undefined,
): Promise<{ states: VendorStates; fixtures: Record<string, unknown> }> {
  const fixtures = stateFile === undefined ? {} : await readFixtureFile(stateFile);
  const modules = new Map(vendors.map((vendor) => [vendor.name, vendor.module]));
  try {
    return { states: new VendorStates(store, clock, modules, compile, fixtures), fixtures };
  } catch (error) {
    if (error instanceof StateError)
      throw new ConfigError(`${stateFile ?? 'state'}: ${error.message}`);
    throw error;
  }
}

/**
 * A port of its own was opened at the start for each of these vendors: a reload that would add
 * or remove one is refused (the last good version keeps serving), since it needs a restart.
 */
function sameOwnPorts(serving: Layout, next: Layout): void {
  const names = (layout: Layout): string =>
    layout.ownPorts
      .map(({ vendor }) => vendor.name)
      .sort()
      .join(', ');
  if (names(serving) !== names(next))
    throw new ConfigError(
      `the vendors with a port of their own would change (${names(serving) || 'none'} -> ${names(next) || 'none'}): restart standin for that`,
    );
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
