import { fileURLToPath } from 'node:url';
import bytes from 'bytes';
import type { VendorModule } from './handlers/types.js';
import type { LogDestination, LogFormat } from './logger.js';
import { ConfigError } from './types/config-error.js';

/** The specs that ship with standin: the five vendors. */
export const DEFAULT_SPECS_DIR = fileURLToPath(new URL('../specs', import.meta.url));

/** standin's own control plane, served at `/__admin`. */
export const CONTROL_PLANE_SPEC = fileURLToPath(
  new URL('../specs/control-plane/admin.yaml', import.meta.url),
);

export const DEFAULTS = {
  port: 4010,
  host: '127.0.0.1',
  cors: true,
  log: 'pretty' as LogFormat,
  bodyLimit: 1024 * 1024,
  journalSize: 1000,
  maxConnections: 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxNamespaces: 256,
};

/** What `createServer` accepts; every field has a default. */
export interface ServerOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Spec files or directories of them; by default the bundled `specs/`. */
  specs?: readonly string[];
  cors?: boolean;
  log?: LogFormat;
  /** Where log lines go; standard output by default. */
  logDestination?: LogDestination;
  /** Largest request body accepted, in bytes or as text such as `1mb`. */
  bodyLimit?: number | string;
  /** Vendor modules by vendor name: their handlers replace the built-in ones of the same operationId. */
  vendors?: Readonly<Record<string, VendorModule>>;
  /**
   * A folder of vendor modules (`--handlers`): `<vendor>/index.{ts,js}` or
   * `<vendor>.handlers.{ts,js}`, TypeScript loaded without a build step, exporting the module as
   * default; each pairs with the loaded spec `<vendor>.yaml`, and replaces the module beside that
   * spec (`<vendor>.handlers.ts`, `<vendor>/index.ts`) or a built-in module of the same name.
   */
  handlers?: string;
  /** The former name of `handlers`, still accepted; `handlers` is the one to use. */
  vendorModulesDir?: string;
  /** A starting fixture (YAML or JSON file) instead of the default one. */
  state?: string;
  /**
   * `--watch`: a change to a spec file, a user's vendor module file or the `state` file is loaded
   * and swapped in without a restart; a broken change is logged and the last good version serves.
   */
  watch?: boolean;
  /** Switch on the vendors' documented rate limits at start: all of them (true) or these vendors. */
  rateLimits?: boolean | readonly string[];
  /**
   * Prism's `--dynamic`: every vendor request is answered as if it sent `Prefer: dynamic=true` (a
   * body generated from the spec, no handler, no state), unless its own `Prefer` says otherwise.
   */
  dynamic?: boolean;
  /**
   * Keep no state for a spec without a module: its operations answer from the spec, as Prism does,
   * instead of from the CRUD resources inferred from its paths (`/pets` + `/pets/{petId}`).
   */
  stateless?: boolean;
  /**
   * Serve documents with problems that do not prevent serving (no `info`, a response without
   * `description`, a parameter without `schema`, a 3.1 keyword in a 3.0 schema...): each becomes a
   * warning in the log, naming the file, the pointer and the line, instead of stopping the start.
   */
  lenient?: boolean;
  /** How many requests the journal keeps per namespace (the oldest go first). */
  journalSize?: number;
  /** What `POST /__admin/shutdown` does; by default the server closes itself. */
  onShutdownRequest?: () => void;
  /**
   * Protects the control plane: its calls must send `Authorization: Bearer <adminToken>`. Without
   * one, the control plane is only served on a loopback address.
   */
  adminToken?: string;
  /**
   * Connections open at once. A newcomer past it closes the connection idle the longest; it is
   * refused only when every one has a request in flight.
   */
  maxConnections?: number;
  /**
   * Origins (`http://localhost:5173`) whose pages may call the control plane from a browser, and
   * the only ones that may call the vendors when given. Without it, any page may call the vendors
   * (without cookies) and none may call the control plane.
   */
  corsOrigins?: readonly string[];
  /**
   * Host names accepted besides the loopback ones (`localhost`, `*.localhost`, 127.x.x.x, [::1]):
   * exact names, or `.example.test` for a domain and its subdomains; `all` turns the check off.
   */
  allowedHosts?: readonly string[];
  /** Namespaces held at once (`X-Standin-Namespace`); a request that would make one more is refused. */
  maxNamespaces?: number;
  /**
   * Where each vendor is served, by vendor name (`{petstore: '/api'}`; `/` is the root). By
   * default `/<vendor><server path>`, or, with one spec, its server path on the root of the port.
   */
  mounts?: Readonly<Record<string, string>>;
  /** With one spec: where it is served (a mount for that one spec). */
  basePath?: string;
  /**
   * A port of its own for a vendor, by vendor name, where it is served at exactly its real base
   * path (a client configured with only a host works); 0 picks a free one.
   */
  vendorPorts?: Readonly<Record<string, number>>;
  /** A port of its own for every vendor, in order from this one (4011, 4012, ...). */
  vendorPortsFrom?: number;
  /** How long a client may take to send its headers (ms): a slow client cannot hold a connection. */
  headersTimeoutMs?: number;
  /** How long a client may take to send its whole request (ms). */
  requestTimeoutMs?: number;
  /**
   * Where state lives: `memory` (this process only) or `redis://HOST:PORT/DB`, shared by every
   * replica that names the same Redis.
   */
  store?: string;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  specs: readonly string[];
  cors: boolean;
  log: LogFormat;
  logDestination?: LogDestination;
  bodyLimit: number;
  vendors: Readonly<Record<string, VendorModule>>;
  /** The folder of vendor modules (`--handlers`, or the former `vendorModulesDir`). */
  handlers?: string;
  state?: string;
  watch: boolean;
  rateLimits: boolean | readonly string[];
  dynamic: boolean;
  stateless: boolean;
  lenient: boolean;
  journalSize: number;
  adminToken?: string;
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  store: StoreLocation;
  corsOrigins: readonly string[];
  allowedHosts: readonly string[] | 'all';
  maxNamespaces: number;
  mounts: Readonly<Record<string, string>>;
  basePath?: string;
  vendorPorts: Readonly<Record<string, number>>;
  vendorPortsFrom?: number;
}

export type StoreLocation = { kind: 'memory' } | { kind: 'redis'; url: string };

export { ConfigError } from './types/config-error.js';

export function resolveOptions(options: ServerOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: checkPort(options.port ?? DEFAULTS.port),
    host: options.host ?? DEFAULTS.host,
    specs: options.specs && options.specs.length > 0 ? options.specs : [DEFAULT_SPECS_DIR],
    cors: options.cors ?? DEFAULTS.cors,
    log: checkLogFormat(options.log ?? DEFAULTS.log),
    bodyLimit: parseBodyLimit(options.bodyLimit ?? DEFAULTS.bodyLimit),
    vendors: options.vendors ?? {},
    ...handlersDirOf(options),
    rateLimits: options.rateLimits ?? false,
    watch: options.watch ?? false,
    dynamic: options.dynamic ?? false,
    stateless: options.stateless ?? false,
    lenient: options.lenient ?? false,
    journalSize: checkJournalSize(options.journalSize ?? DEFAULTS.journalSize),
    maxConnections: checkPositive(
      'max connections',
      options.maxConnections ?? DEFAULTS.maxConnections,
    ),
    headersTimeoutMs: checkPositive(
      'headers timeout',
      options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
    ),
    requestTimeoutMs: checkPositive(
      'request timeout',
      options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    ),
    store: storeLocationOf(options.store ?? 'memory'),
    corsOrigins: (options.corsOrigins ?? []).map(checkOrigin),
    allowedHosts: checkAllowedHosts(options.allowedHosts ?? []),
    maxNamespaces: checkPositive('max namespaces', options.maxNamespaces ?? DEFAULTS.maxNamespaces),
    mounts: options.mounts ?? {},
    vendorPorts: Object.fromEntries(
      Object.entries(options.vendorPorts ?? {}).map(([vendor, port]) => [vendor, checkPort(port)]),
    ),
  };
  if (options.basePath !== undefined) resolved.basePath = options.basePath;
  if (options.vendorPortsFrom !== undefined) {
    if (options.vendorPorts !== undefined)
      throw new ConfigError('--vendor-port and --vendor-ports cannot be used together');
    resolved.vendorPortsFrom = checkPort(options.vendorPortsFrom);
  }
  if (options.adminToken !== undefined) {
    if (options.adminToken.length < 16)
      throw new ConfigError('the admin token must be at least 16 characters long');
    resolved.adminToken = options.adminToken;
  }
  if (options.logDestination) resolved.logDestination = options.logDestination;
  if (options.state !== undefined) resolved.state = options.state;
  return resolved;
}

/** `handlers`, under either of its names; two different folders are a mistake, not a choice. */
function handlersDirOf(options: ServerOptions): { handlers?: string } {
  const { handlers, vendorModulesDir } = options;
  if (handlers !== undefined && vendorModulesDir !== undefined && handlers !== vendorModulesDir)
    throw new ConfigError(
      `handlers (${handlers}) and vendorModulesDir (${vendorModulesDir}) name two folders: vendorModulesDir is the former name of handlers, give one`,
    );
  const directory = handlers ?? vendorModulesDir;
  return directory === undefined ? {} : { handlers: directory };
}

/** The flags of `standin serve`, as the CLI parser hands them over (strings where typed by a user). */
export interface ServeFlags {
  port?: string;
  host?: string;
  specs?: string[];
  cors?: boolean;
  log?: string;
  bodyLimit?: string;
  state?: string;
  /** `--handlers DIR`: a folder of vendor modules. */
  handlers?: string;
  /** `true` for a bare `--rate-limits`, or the comma-separated vendors given to it. */
  rateLimits?: boolean | string;
  dynamic?: boolean;
  stateless?: boolean;
  lenient?: boolean;
  /** `--watch`: reload changed specs, module files and the state file without a restart. */
  watch?: boolean;
  journalSize?: string;
  adminToken?: string;
  maxConnections?: string;
  requestTimeout?: string;
  store?: string;
  corsOrigins?: string;
  allowedHosts?: string;
  maxNamespaces?: string;
  /** `NAME=PATH`, repeatable. */
  mount?: string[];
  basePath?: string;
  /** `NAME=PORT`, repeatable. */
  vendorPort?: string[];
  /** The first of the ports every vendor gets, in order. */
  vendorPorts?: string;
}

/**
 * Flags win over the environment, which wins over the defaults. The environment serves
 * containers and CI (`STANDIN_PORT`, `STANDIN_HOST`, `STANDIN_SPECS` separated by commas,
 * `STANDIN_CORS=false`, `STANDIN_LOG`, `STANDIN_BODY_LIMIT`, `STANDIN_STATE`, `STANDIN_HANDLERS`,
 * `STANDIN_RATE_LIMITS`, `STANDIN_JOURNAL_SIZE`, `STANDIN_ADMIN_TOKEN`, `STANDIN_MAX_CONNECTIONS`,
 * `STANDIN_REQUEST_TIMEOUT`, `STANDIN_STORE`, `STANDIN_CORS_ORIGINS` and `STANDIN_ALLOWED_HOSTS`
 * separated by commas, `STANDIN_MAX_NAMESPACES`, `STANDIN_MOUNTS` and `STANDIN_VENDOR_PORT` as
 * comma-separated `NAME=VALUE`s, `STANDIN_BASE_PATH`, `STANDIN_VENDOR_PORTS`). This is the only reader of `process.env` in standin.
 */
export function serveOptionsFrom(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv = process.env,
): ServerOptions {
  const options: ServerOptions = {};
  const port = flags.port ?? env.STANDIN_PORT;
  if (port !== undefined) options.port = parsePort(port);
  const host = flags.host ?? env.STANDIN_HOST;
  if (host !== undefined) options.host = host;
  const specs = flags.specs ?? env.STANDIN_SPECS?.split(',').filter((item) => item.trim() !== '');
  if (specs !== undefined && specs.length > 0) options.specs = specs;
  if (flags.cors === false) options.cors = false;
  else if (env.STANDIN_CORS !== undefined)
    options.cors = !/^(0|false|no|off)$/i.test(env.STANDIN_CORS);
  const log = flags.log ?? env.STANDIN_LOG;
  if (log !== undefined) options.log = checkLogFormat(log);
  const bodyLimit = flags.bodyLimit ?? env.STANDIN_BODY_LIMIT;
  if (bodyLimit !== undefined) options.bodyLimit = bodyLimit;
  const state = flags.state ?? env.STANDIN_STATE;
  if (state !== undefined) options.state = state;
  const handlers = flags.handlers ?? env.STANDIN_HANDLERS;
  if (handlers !== undefined) options.handlers = handlers;
  const rateLimits = flags.rateLimits ?? env.STANDIN_RATE_LIMITS;
  if (rateLimits !== undefined) options.rateLimits = parseRateLimits(rateLimits);
  if (flags.dynamic === true) options.dynamic = true;
  if (flags.stateless === true) options.stateless = true;
  if (flags.lenient === true) options.lenient = true;
  if (flags.watch === true) options.watch = true;
  // Compose passes an unset variable through as empty: empty means no admin token.
  const adminToken = flags.adminToken ?? (env.STANDIN_ADMIN_TOKEN || undefined);
  if (adminToken !== undefined) options.adminToken = adminToken;
  const maxConnections = flags.maxConnections ?? env.STANDIN_MAX_CONNECTIONS;
  if (maxConnections !== undefined)
    options.maxConnections = wholeNumber('max connections', maxConnections);
  const requestTimeout = flags.requestTimeout ?? env.STANDIN_REQUEST_TIMEOUT;
  if (requestTimeout !== undefined)
    options.requestTimeoutMs = wholeNumber('request timeout', requestTimeout);
  const store = flags.store ?? env.STANDIN_STORE;
  if (store !== undefined) options.store = store;
  const corsOrigins = flags.corsOrigins ?? env.STANDIN_CORS_ORIGINS;
  if (corsOrigins !== undefined) options.corsOrigins = commaList(corsOrigins);
  const allowedHosts = flags.allowedHosts ?? env.STANDIN_ALLOWED_HOSTS;
  if (allowedHosts !== undefined) options.allowedHosts = commaList(allowedHosts);
  const mounts = flags.mount ?? (env.STANDIN_MOUNTS ? commaList(env.STANDIN_MOUNTS) : undefined);
  if (mounts !== undefined) options.mounts = namedValues('--mount', mounts, (path) => path);
  const basePath = flags.basePath ?? env.STANDIN_BASE_PATH;
  if (basePath !== undefined) options.basePath = basePath;
  const vendorPort =
    flags.vendorPort ?? (env.STANDIN_VENDOR_PORT ? commaList(env.STANDIN_VENDOR_PORT) : undefined);
  const vendorPorts = flags.vendorPorts ?? env.STANDIN_VENDOR_PORTS;
  if (vendorPort !== undefined)
    options.vendorPorts = namedValues('--vendor-port', vendorPort, parsePort);
  if (vendorPorts !== undefined) options.vendorPortsFrom = parsePort(vendorPorts);
  const maxNamespaces = flags.maxNamespaces ?? env.STANDIN_MAX_NAMESPACES;
  if (maxNamespaces !== undefined)
    options.maxNamespaces = wholeNumber('max namespaces', maxNamespaces);
  const journalSize = flags.journalSize ?? env.STANDIN_JOURNAL_SIZE;
  if (journalSize !== undefined) {
    if (!/^\d+$/.test(journalSize.trim()))
      throw new ConfigError(`journal size must be a whole number (got "${journalSize}")`);
    options.journalSize = Number(journalSize);
  }
  return options;
}

/** `--rate-limits` alone (or `all`, `true`): every documented limit; `a,b`: those vendors; `false`: none. */
function parseRateLimits(value: boolean | string): boolean | string[] {
  if (typeof value === 'boolean') return value;
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'all' || text === 'true') return true;
  if (text === 'false' || text === 'none') return false;
  return text
    .split(',')
    .map((vendor) => vendor.trim())
    .filter((vendor) => vendor !== '');
}

/** `memory`, or a Redis URL: `redis://HOST:PORT/DB` (`rediss://` for TLS, a password allowed). */
function storeLocationOf(text: string): StoreLocation {
  if (text === 'memory') return { kind: 'memory' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not echoed: a Redis URL may carry a password.
    throw new ConfigError('--store must be "memory" or a URL such as redis://127.0.0.1:6379/0');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new ConfigError(
      `--store must be "memory" or redis://HOST:PORT/DB (got "${url.protocol}//...")`,
    );
  if (url.hostname === '') throw new ConfigError('--store: the Redis URL names no host');
  if (!/^\/?(\d{1,2})?$/.test(url.pathname))
    throw new ConfigError(
      `--store: the Redis database must be a number (got "${url.pathname.slice(1)}")`,
    );
  return { kind: 'redis', url: text };
}

/** `NAME=VALUE` pairs, as `--mount` and `--vendor-port` take them. */
function namedValues<T>(
  flag: string,
  pairs: readonly string[],
  parse: (value: string) => T,
): Record<string, T> {
  const named: Record<string, T> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const name = equals < 0 ? '' : pair.slice(0, equals).trim();
    if (name === '') throw new ConfigError(`${flag} takes NAME=VALUE (got "${pair}")`);
    named[name] = parse(pair.slice(equals + 1).trim());
  }
  return named;
}

function commaList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * An origin as a browser sends it: `scheme://host[:port]`, nothing after. `null` (the origin of
 * `file://` pages and sandboxed frames) is refused: every such page would share it.
 */
function checkOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new ConfigError(
      `--cors-origins takes origins such as http://localhost:5173 (got "${origin}")`,
    );
  }
  if (url.origin === 'null' || url.origin !== origin.replace(/\/$/, '').toLowerCase())
    throw new ConfigError(
      `--cors-origins takes origins such as http://localhost:5173, without a path (got "${origin}")`,
    );
  return url.origin;
}

function checkAllowedHosts(hosts: readonly string[]): readonly string[] | 'all' {
  if (hosts.includes('all')) return 'all';
  for (const host of hosts) {
    if (!/^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/i.test(host))
      throw new ConfigError(
        `--allowed-hosts takes host names such as my-machine.local or .example.test, or all (got "${host}")`,
      );
  }
  return hosts.map((host) => host.toLowerCase());
}

function wholeNumber(what: string, text: string): number {
  if (!/^\d+$/.test(text.trim()))
    throw new ConfigError(`${what} must be a whole number (got "${text}")`);
  return Number(text);
}

function checkPositive(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigError(`${what} must be a whole number above 0 (got ${value})`);
  return value;
}

function checkJournalSize(size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > 1_000_000) {
    throw new ConfigError(`journal size must be from 1 to 1000000 (got ${size})`);
  }
  return size;
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text.trim()))
    throw new ConfigError(`port must be a number from 0 to 65535 (got "${text}")`);
  return checkPort(Number(text));
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`port must be a number from 0 to 65535 (got ${port})`);
  }
  return port;
}

function checkLogFormat(format: string): LogFormat {
  if (format === 'pretty' || format === 'json' || format === 'silent') return format;
  throw new ConfigError(`log must be pretty, json or silent (got "${format}")`);
}

function parseBodyLimit(limit: number | string): number {
  const parsed = typeof limit === 'number' ? limit : bytes.parse(limit);
  if (parsed === null || !Number.isFinite(parsed) || parsed < 0) {
    throw new ConfigError(`body limit must be a size such as 1mb or 1048576 (got "${limit}")`);
  }
  return Math.floor(parsed);
}
