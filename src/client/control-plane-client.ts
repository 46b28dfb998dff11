import createClient from 'openapi-fetch';
import type { operations, paths } from '../generated/admin.js';
import { DEFAULT_NAMESPACE, NAMESPACE_HEADER } from '../engine/namespace.js';
import { ControlPlaneError } from './control-plane-error.js';
import type {
  ClockMove,
  ClockReading,
  ContractViolation,
  CredentialFilter,
  CurrentCredential,
  Fault,
  FaultRequest,
  JournalEntry,
  NamespaceList,
  OperationCoverage,
  RequestCount,
  RequestFilter,
  RequestMatcher,
  VendorState,
} from './control-plane-types.js';

/** Where the control plane is mounted on every standin. */
const CONTROL_PLANE_PATH = '/__admin';

export interface ConnectOptions {
  /** Work on this namespace's own fixture, clock, journal and faults (`default` without it). */
  namespace?: string;
  /** The `--admin-token` standin was started with, when it was. */
  adminToken?: string;
}

/**
 * A typed client of standin's control plane (`/__admin`), one namespace at a time. Every call
 * throws a {@link ControlPlaneError} (status and problem detail) when standin does not answer the
 * status specs/control-plane/admin.yaml documents for success.
 */
export interface ControlPlaneClient {
  /** The namespace this client works on: `default` unless `connect` or `namespace()` named one. */
  readonly namespaceName: string;
  /** Back to the starting fixture, the real clock and the starting rate limits; faults cleared. */
  reset(): Promise<void>;
  state: {
    /** One vendor's whole state. */
    get(vendor: string): Promise<VendorState>;
    /** Replaces one vendor's state; an invalid one is a 400 and changes nothing. */
    put(vendor: string, state: VendorState): Promise<VendorState>;
  };
  /** Every credential valid now, optionally of one vendor or principal. */
  credentials(filter?: CredentialFilter): Promise<CurrentCredential[]>;
  clock: {
    get(): Promise<ClockReading>;
    /** Moves forward by an ISO 8601 duration such as `P14DT1H` (months and years in UTC). */
    advance(isoDuration: NonNullable<ClockMove['advance']>): Promise<ClockReading>;
    /** Puts the clock at an instant; `frozen: true` stops it there. */
    set(
      instant: NonNullable<ClockMove['set']> | Date,
      options?: Pick<ClockMove, 'frozen'>,
    ): Promise<ClockReading>;
    /** Stops the clock where it is. */
    freeze(): Promise<ClockReading>;
    /** Lets a frozen clock run again from where it stands. */
    unfreeze(): Promise<ClockReading>;
  };
  faults: {
    /** Delays, fails or cuts the next calls of an operation; answers the fault with its id. */
    add(fault: FaultRequest): Promise<Fault>;
    /** The faults set, in the order they are tried. */
    list(): Promise<Fault[]>;
    clear(): Promise<void>;
  };
  requests: {
    /** The journal, oldest first, narrowed by `filter`. */
    list(filter?: RequestFilter): Promise<JournalEntry[]>;
    /** How many journal entries match (all of them without a matcher). */
    count(matcher?: RequestMatcher): Promise<RequestCount>;
    /** Empties the journal. */
    clear(): Promise<void>;
  };
  violations: {
    list(): Promise<ContractViolation[]>;
    clear(): Promise<void>;
  };
  coverage: {
    get(): Promise<OperationCoverage[]>;
    /** Every count back to zero. */
    clear(): Promise<void>;
  };
  namespaces: {
    /** Every namespace that exists, `default` first, and how many may exist. */
    list(): Promise<NamespaceList>;
    /** Deletes a namespace and everything in it (`default` cannot be: reset it). */
    delete(name: string): Promise<void>;
  };
  /** The same client, on another namespace (made by its first request that gets past routing). */
  namespace(name: string): ControlPlaneClient;
}

/**
 * Connects to the control plane of the standin at `url`: its base URL (`http://127.0.0.1:4010`,
 * what `createServer()` resolves as `url`) or the control plane's own (`.../__admin`). Nothing is
 * sent until the first call.
 */
export function connect(url: string, options: ConnectOptions = {}): ControlPlaneClient {
  const root = url.replace(/\/+$/, '').replace(/\/__admin$/, '');
  const headers: Record<string, string> = {};
  if (options.adminToken !== undefined) headers.authorization = `Bearer ${options.adminToken}`;
  if (options.namespace !== undefined) headers[NAMESPACE_HEADER] = options.namespace;
  const client = createClient<paths>({ baseUrl: root + CONTROL_PLANE_PATH, headers });
  const moveClock = (move: ClockMove): Promise<ClockReading> =>
    successOf('moveClock', 200, client.POST('/clock', { body: move }));

  return {
    namespaceName: options.namespace ?? DEFAULT_NAMESPACE,
    reset: () => successOf('reset', 204, client.POST('/reset')),
    state: {
      get: (vendor) =>
        successOf('getState', 200, client.GET('/state/{vendor}', { params: { path: { vendor } } })),
      put: (vendor, state) =>
        successOf(
          'putState',
          200,
          client.PUT('/state/{vendor}', { params: { path: { vendor } }, body: state }),
        ),
    },
    credentials: (filter = {}) =>
      successOf('listCredentials', 200, client.GET('/credentials', { params: { query: filter } })),
    clock: {
      get: () => successOf('getClock', 200, client.GET('/clock')),
      advance: (isoDuration) => moveClock({ advance: isoDuration }),
      set: (instant, { frozen } = {}) =>
        moveClock({
          set: instant instanceof Date ? instant.toISOString() : instant,
          ...(frozen === undefined ? {} : { frozen }),
        }),
      freeze: () => moveClock({ frozen: true }),
      unfreeze: () => moveClock({ frozen: false }),
    },
    faults: {
      add: (fault) => successOf('addFault', 201, client.POST('/faults', { body: fault })),
      list: () => successOf('listFaults', 200, client.GET('/faults')),
      clear: () => successOf('clearFaults', 204, client.DELETE('/faults')),
    },
    requests: {
      list: (filter = {}) =>
        successOf('listRequests', 200, client.GET('/requests', { params: { query: filter } })),
      count: (matcher = {}) =>
        successOf('countRequests', 200, client.POST('/requests/count', { body: matcher })),
      clear: () => successOf('clearRequests', 204, client.DELETE('/requests')),
    },
    violations: {
      list: () => successOf('listViolations', 200, client.GET('/violations')),
      clear: () => successOf('clearViolations', 204, client.DELETE('/violations')),
    },
    coverage: {
      get: () => successOf('getCoverage', 200, client.GET('/coverage')),
      clear: () => successOf('clearCoverage', 204, client.DELETE('/coverage')),
    },
    namespaces: {
      list: () => successOf('listNamespaces', 200, client.GET('/namespaces')),
      delete: (name) =>
        successOf(
          'deleteNamespace',
          204,
          client.DELETE('/namespaces/{name}', { params: { path: { name } } }),
        ),
    },
    namespace: (name) => connect(root, { ...options, namespace: name }),
  };
}

/** The statuses an operation documents for success: `successOf` accepts no other. */
type SuccessStatus<OperationId extends keyof operations> = Extract<
  keyof operations[OperationId]['responses'],
  200 | 201 | 202 | 204
>;

/**
 * The answer's data when standin answered the documented success status, else a
 * ControlPlaneError. The status is checked against the generated spec types, so expecting a
 * status the operation does not document does not compile.
 */
async function successOf<OperationId extends keyof operations, Data>(
  operationId: OperationId,
  status: SuccessStatus<OperationId>,
  pending: Promise<{ data?: Data; error?: unknown; response: Response }>,
): Promise<Data> {
  const { data, error, response } = await pending;
  if (response.status !== status) {
    throw ControlPlaneError.fromAnswer(operationId, response.status, error ?? data);
  }
  // The documented success status without a body is a 204, whose Data is void.
  return data as Data;
}
