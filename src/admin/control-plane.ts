import { ClockError, type ClockChange } from '../clock.js';
import type { Vendor } from '../engine/compile-vendor.js';
import type { Runtime } from '../engine/runtime.js';
import type {
  HandlerContext,
  HandlerResult,
  ListedCredential,
  VendorAction,
  VendorModule,
} from '../handlers/types.js';
import type { ValidateFunction } from '../validators/ajv.js';
import { failuresFromAjv, type Failure } from '../validators/failure.js';
import { StateError } from '../state/vendor-states.js';
import { MAX_FAULTS, type FaultRequest } from '../engine/faults.js';
import { DEFAULT_NAMESPACE } from '../engine/namespace.js';
import { ExpectedViolations } from '../engine/expected-violations.js';
import { problems } from '../engine/problem.js';
import type { JournalFilter } from '../engine/observations.js';
import { findResponse } from '../validators/response.js';
import { coverageOf } from './coverage.js';

/**
 * The control plane's module: what each operation of specs/control-plane/admin.yaml does. It is
 * served by the same engine as a vendor; it keeps no state of its own but works on the vendors'
 * states and the clock.
 */
export function createControlPlane(
  runtime: Runtime,
  vendors: readonly Vendor[],
  requestShutdown: () => void,
  compile: (schema: object) => ValidateFunction,
): VendorModule {
  const { states, clock } = runtime;
  const actions = compileActions(vendors, compile);

  /** A vendor module's own action, its body checked against the action's schema first. */
  const runAction = async (
    context: HandlerContext<unknown>,
    vendor: string,
    name: string,
  ): Promise<HandlerResult> => {
    const action = actions.get(vendor)?.get(name);
    if (!action) {
      const named = vendors
        .flatMap((candidate) =>
          Object.keys(candidate.module.actions ?? {}).map(
            (action) => `${candidate.name}/${action}`,
          ),
        )
        .join(', ');
      return problem(
        404,
        `no vendor named "${vendor}" has an action "${name}" (actions: ${named || 'none'})`,
      );
    }
    const body = context.request.body ?? {};
    if (!action.validate(body)) {
      const failures = failuresFromAjv(action.validate.errors, 'body', `#/actions/${name}/body`);
      const list = failures.map((failure) => `${failure.pointer || '/'} ${failure.message}`);
      return problem(400, `${vendor}/${name} refuses this body: ${list.join('; ')}`, failures);
    }
    const namespace = namespaceOf(context);
    return action.definition.run({
      ...context,
      request: { ...context.request, body },
      principal: undefined,
      now: await clock.now(namespace),
      state: states.access(namespace, vendor),
    });
  };
  const expectedViolations = new ExpectedViolations(runtime.store);
  const namespaceOf = (context: HandlerContext<unknown>): string => context.namespace;

  const knownVendor = (context: HandlerContext<unknown>): string | HandlerResult => {
    const vendor = String(context.request.params.path.vendor);
    if (states.has(vendor)) return vendor;
    const kept = states.vendors().join(', ');
    return problem(
      404,
      `no vendor named "${vendor}" keeps state here (vendors with state: ${kept})`,
    );
  };

  return {
    handlers: {
      async reset(context) {
        const namespace = namespaceOf(context);
        // The clock first: the fixture's times are built from it.
        await clock.reset(namespace);
        await states.reset(namespace);
        await runtime.rateLimits.reset(namespace);
        // The journal, violations and coverage stay: a CI run's report spans every test.
        await runtime.faults.clear(namespace);
        // Like a fault, a mark belongs to the test that set it: the next test starts without one.
        await expectedViolations.clear(namespace);
        return { status: 204 };
      },

      async getState(context) {
        const vendor = knownVendor(context);
        if (typeof vendor !== 'string') return vendor;
        return { status: 200, body: await states.read(namespaceOf(context), vendor) };
      },

      async putState(context) {
        const vendor = knownVendor(context);
        if (typeof vendor !== 'string') return vendor;
        try {
          await states.replace(namespaceOf(context), vendor, context.request.body);
        } catch (error) {
          if (error instanceof StateError) return problem(400, error.message, error.failures);
          throw error;
        }
        return { status: 200, body: await states.read(namespaceOf(context), vendor) };
      },

      async listCredentials(context) {
        const { vendor, principal } = context.request.params.query;
        const listed = await currentCredentials(runtime, vendors, namespaceOf(context));
        return {
          status: 200,
          body: listed.filter(
            (credential) =>
              (vendor === undefined || credential.vendor === vendor) &&
              (principal === undefined || credential.principal === principal),
          ),
        };
      },

      async getClock(context) {
        return { status: 200, body: await clock.read(namespaceOf(context)) };
      },

      async moveClock(context) {
        const namespace = namespaceOf(context);
        try {
          return {
            status: 200,
            body: await clock.move(namespace, context.request.body as ClockChange),
          };
        } catch (error) {
          if (error instanceof ClockError) return problem(400, error.message);
          throw error;
        }
      },

      async listRequests(context) {
        const query = context.request.params.query as Partial<
          Record<'vendor' | 'operationId' | 'since', string>
        > & {
          status?: number;
        };
        return {
          status: 200,
          body: await runtime.observations.journal(namespaceOf(context), query),
        };
      },

      async clearRequests(context) {
        await runtime.observations.clearJournal(namespaceOf(context));
        return { status: 204 };
      },

      async countRequests(context) {
        const matcher = context.request.body as JournalFilter;
        const namespace = namespaceOf(context);
        const count = (await runtime.observations.journal(namespace, matcher)).length;
        // Lost entries cannot be matched (they are gone): `lost` counts all of the namespace's,
        // and only shows when there are some, so `{count}` stays the whole answer otherwise.
        const lost = await runtime.observations.lostRequests(namespace);
        return { status: 200, body: lost > 0 ? { count, lost } : { count } };
      },

      async listViolations(context) {
        const { expected } = context.request.params.query as { expected?: boolean };
        const violations = await runtime.observations.violations(namespaceOf(context));
        return {
          status: 200,
          body:
            expected === undefined
              ? violations
              : violations.filter((violation) => violation.expected === expected),
        };
      },

      async getExpectedViolations(context) {
        return { status: 200, body: await expectedViolations.read(namespaceOf(context)) };
      },

      async expectViolations(context) {
        const { count, reason } = context.request.body as { count: number; reason?: string };
        return {
          status: 200,
          body: await expectedViolations.expect(namespaceOf(context), count, reason),
        };
      },

      async clearViolations(context) {
        await runtime.observations.clearViolations(namespaceOf(context));
        return { status: 204 };
      },

      async getCoverage(context) {
        return {
          status: 200,
          body: await coverageOf(vendors, runtime.observations, [namespaceOf(context)]),
        };
      },

      async clearCoverage(context) {
        await runtime.observations.clearCoverage(namespaceOf(context));
        return { status: 204 };
      },

      async listFaults(context) {
        return { status: 200, body: await runtime.faults.list(namespaceOf(context)) };
      },

      async addFault(context) {
        const request = context.request.body as FaultRequest;
        const refusal = faultRefusal(vendors, request);
        if (refusal) return problem(400, refusal);
        const fault = await runtime.faults.add(namespaceOf(context), request);
        if (!fault)
          return problem(
            400,
            `this namespace already holds ${MAX_FAULTS} faults; DELETE /__admin/faults clears them`,
          );
        return { status: 201, body: fault };
      },

      async clearFaults(context) {
        await runtime.faults.clear(namespaceOf(context));
        return { status: 204 };
      },

      shutdown() {
        // After this answer has gone out: the server waits for requests in flight, this one too.
        setImmediate(requestShutdown);
        return { status: 202 };
      },

      async listRateLimits(context) {
        const limits = [];
        for (const vendor of vendors) {
          const policy = vendor.module.rateLimit;
          if (!policy) continue;
          const enabled = await runtime.rateLimits.enabled(namespaceOf(context), vendor.name);
          limits.push({ vendor: vendor.name, description: policy.description, enabled });
        }
        return { status: 200, body: limits };
      },

      async setRateLimit(context) {
        const name = String(context.request.params.path.vendor);
        const policy = vendors.find((vendor) => vendor.name === name)?.module.rateLimit;
        if (!policy) return problem(404, `no vendor named "${name}" documents a rate limit`);
        const { enabled } = context.request.body as { enabled: boolean };
        await runtime.rateLimits.set(namespaceOf(context), name, enabled);
        return { status: 200, body: { vendor: name, description: policy.description, enabled } };
      },

      async listNamespaces() {
        return {
          status: 200,
          body: { max: runtime.namespaces.max, namespaces: await runtime.namespaces.list() },
        };
      },

      async deleteNamespace(context) {
        const name = String(context.request.params.path.name);
        if (name === DEFAULT_NAMESPACE)
          return problem(
            400,
            'the default namespace cannot be deleted; POST /__admin/reset resets it',
          );
        if (!(await runtime.namespaces.delete(name)))
          return problem(404, `there is no namespace named "${name}"`);
        return { status: 204 };
      },

      async runVendorAction(context) {
        const { vendor, action } = context.request.params.path;
        return runAction(context, String(vendor), String(action));
      },

      // The older name of PocketPaw's `sessions` action, as the README documented it.
      async createPocketPawSession(context) {
        return runAction(context, 'pocketpaw', 'sessions');
      },
    },
  };
}

interface CompiledAction {
  definition: VendorAction;
  validate: ValidateFunction;
}

/** Every vendor module's actions, their body schemas compiled once, at startup. */
function compileActions(
  vendors: readonly Vendor[],
  compile: (schema: object) => ValidateFunction,
): Map<string, Map<string, CompiledAction>> {
  return new Map(
    vendors.map((vendor) => [
      vendor.name,
      new Map(
        Object.entries(vendor.module.actions ?? {}).map(([name, definition]) => [
          name,
          { definition, validate: compile(definition.body) },
        ]),
      ),
    ]),
  );
}

/** Why a fault cannot be set: an unknown vendor or operation, or a status it does not document. */
function faultRefusal(vendors: readonly Vendor[], request: FaultRequest): string | undefined {
  const vendor = vendors.find((candidate) => candidate.name === request.vendor);
  if (!vendor)
    return `no vendor named "${request.vendor}" (vendors: ${vendors.map((candidate) => candidate.name).join(', ')})`;
  const operations = vendor.operations.filter(
    (operation) =>
      request.operationId === undefined || operation.operationId === request.operationId,
  );
  if (operations.length === 0)
    return `${vendor.name} has no operation "${request.operationId ?? ''}"`;
  if (request.status !== undefined && request.reset === true)
    return 'a fault answers a status or resets the connection, not both';
  if (request.status === undefined && request.reset !== true && (request.delayMs ?? 0) === 0) {
    return 'a fault needs a status, a reset or a delay';
  }
  const status = request.status;
  if (status !== undefined) {
    const undocumented = operations.filter(
      (operation) => !findResponse(operation.responses, status),
    );
    if (undocumented.length > 0) {
      return `status ${status} is not documented by ${undocumented.map((operation) => operation.operationId).join(', ')}, so its answer could not follow the spec`;
    }
  }
  return undefined;
}

export type VendorCredential = ListedCredential & { vendor: string };

/** Every credential valid now in a namespace, vendor by vendor, as the vendor modules list them. */
export async function currentCredentials(
  runtime: Runtime,
  vendors: readonly Vendor[],
  namespace: string,
): Promise<VendorCredential[]> {
  const now = await runtime.clock.now(namespace);
  const listed: VendorCredential[] = [];
  for (const vendor of vendors) {
    const list = vendor.module.credentials;
    if (!list || !runtime.states.has(vendor.name)) continue;
    const state = await runtime.states.read(namespace, vendor.name);
    for (const credential of list(state, now)) {
      const { rotate, revoke, ...rest } = credential;
      listed.push({
        vendor: vendor.name,
        ...rest,
        // A path on standin's origin: the module knows its operations, not where it is mounted.
        ...(rotate ? { rotate: { ...rotate, path: vendor.mountPath + rotate.path } } : {}),
        ...(revoke ? { revoke: { ...revoke, path: vendor.mountPath + revoke.path } } : {}),
      });
    }
  }
  return listed;
}

function problem(status: number, detail: string, errors?: Failure[]): HandlerResult {
  return {
    status,
    contentType: 'application/problem+json',
    body: problems.controlPlane(status, detail, errors),
  };
}
