import type { LoadedSpec } from '../spec/load-spec.js';
import { appendPointer } from '../spec/json-pointer.js';
import {
  HTTP_METHODS,
  resolved,
  type Operation,
  type Parameter,
  type PathItem,
  type RequestBody,
  type SecurityScheme,
} from '../spec/openapi.js';
import { SpecError } from '../spec/spec-error.js';
import type { AjvPair } from '../validators/ajv.js';
import {
  compileParameters,
  type DeclaredParameter,
  type ParametersPlan,
} from '../validators/parameters.js';
import { compileRequestBody, type RequestBodyPlan } from '../validators/request-body.js';
import { compileResponses, type ResponsesPlan } from '../validators/response.js';
import { SchemaCompiler } from '../validators/schema-compiler.js';
import { compileChallenge, type AuthChallenge } from '../validators/auth-challenge.js';
import { compileSecurity, type SecurityPlan } from '../validators/security.js';
import type { Handler, VendorModule } from '../handlers/types.js';
import { PathRouter } from './router.js';
import { compileSpecAnswers, type SpecAnswers } from './spec-answers.js';

/** One operation, with everything the request path needs prepared at startup. */
export interface CompiledOperation {
  vendor: string;
  operationId: string;
  method: string;
  template: string;
  pointer: string;
  security: SecurityPlan;
  /** `WWW-Authenticate` for a 401, when the operation uses an HTTP auth scheme (or OAuth2/OIDC). */
  challenge?: AuthChallenge;
  /** The status a request breaking the spec is refused with: 400, or 422 when only that is documented. */
  invalidRequestStatus: number;
  parameters: ParametersPlan;
  requestBody?: RequestBodyPlan;
  responses: ResponsesPlan;
  answers: SpecAnswers;
  handler?: Handler;
}

/** A loaded spec made servable: its operations compiled and routed. */
export interface Vendor {
  name: string;
  title: string;
  version: string;
  openapi: string;
  /**
   * Where it is served on this listener: `/thousandeyes/v7` beside other vendors, its own server
   * path (`/v7`) when it is alone on a port (see engine/mounts.ts).
   */
  mountPath: string;
  /** The path part of the spec's first server URL: where the real vendor serves it (`/v7`). */
  basePath: string;
  /** The vendor's behaviour: state, authentication, handlers (empty for a spec-only vendor). */
  module: VendorModule;
  router: PathRouter<CompiledOperation>;
  operations: CompiledOperation[];
  /** The spec as served at `/<vendor>/openapi.json`, serialized once per mount. */
  specJson: string;
  /** The spec as served when the vendor is mounted at `mountPath`. */
  specAt(mountPath: string): string;
}

/** Something worth a reader's attention in a spec that is still servable (an example that does not match its schema). */
export type Warn = (message: string) => void;

export function compileVendor(
  spec: LoadedSpec,
  ajv: AjvPair,
  module: VendorModule = {},
  warn: Warn = () => undefined,
  /** The file a handler was loaded from (a module file), named when its operationId is unknown. */
  handlerFile: (operationId: string) => string | undefined = () => undefined,
): Vendor {
  const { document } = spec;
  const compiler = new SchemaCompiler(ajv, spec);
  const schemes = (document.components?.securitySchemes ?? {}) as Record<string, SecurityScheme>;
  const router = new PathRouter<CompiledOperation>();
  const operations: CompiledOperation[] = [];
  const mountPath = `/${spec.vendor}${spec.basePath}`;
  // An XML body without `xml.name` is named after its component, as the real service names it.
  const componentNames = new Map<object, string>(
    Object.entries(document.components?.schemas ?? {}).flatMap(([name, schema]) =>
      typeof schema === 'object' && schema !== null ? [[schema, name] as const] : [],
    ),
  );

  for (const [template, maybeItem] of Object.entries(document.paths ?? {})) {
    const item = maybeItem;
    if (!item) continue;
    const pathPointer = appendPointer('#/paths', template);
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const pointer = appendPointer(pathPointer, method);
      const compiled = compileOperation({
        vendor: spec.vendor,
        template,
        method,
        item,
        operation,
        pathPointer,
        pointer,
        compiler,
        schemes,
        defaultSecurity: document.security ?? [],
        version: spec.version,
        componentNames,
        warn: (message) => warn(`${spec.vendor}: ${message}`),
      });
      operations.push(compiled);
      router.add(template, method.toUpperCase(), compiled);
    }
  }

  const problems = [...compiler.problems];
  const byId = new Map(operations.map((operation) => [operation.operationId, operation]));
  for (const [operationId, handler] of Object.entries(module.handlers ?? {})) {
    const operation = byId.get(operationId);
    if (operation) operation.handler = handler;
    else {
      const file = handlerFile(operationId);
      problems.push({
        message: `a handler is registered${file === undefined ? '' : ` in ${file}`} for operationId "${operationId}", which ${spec.vendor} does not have`,
      });
    }
  }
  // authenticate judges a credential against the vendor's state: without one it would never be
  // called, and every credential of the right shape would pass. Said at start, not skipped.
  if (module.authenticate && !module.state)
    problems.push({
      message: `the module of ${spec.vendor} has authenticate but no state: authenticate is given the vendor's state, so the module must declare one (state: { schema, initial })`,
    });
  if (problems.length > 0) throw SpecError.at(spec.file, spec.source, problems);

  return {
    name: spec.vendor,
    title: document.info.title,
    version: document.info.version,
    openapi: document.openapi,
    mountPath,
    basePath: spec.basePath,
    module,
    router,
    operations,
    specJson: servedSpec(spec, mountPath),
    specAt: (at) => servedSpec(spec, at),
  };
}

interface OperationSource {
  vendor: string;
  template: string;
  method: string;
  item: PathItem;
  operation: Operation;
  pathPointer: string;
  pointer: string;
  compiler: SchemaCompiler;
  schemes: Record<string, SecurityScheme>;
  defaultSecurity: NonNullable<Operation['security']>;
  version: LoadedSpec['version'];
  /** Component schemas by object (the document is dereferenced), for XML root names. */
  componentNames: ReadonlyMap<object, string>;
  warn: Warn;
}

function compileOperation(source: OperationSource): CompiledOperation {
  const { operation, pointer, compiler } = source;
  const security = compileSecurity(operation.security ?? source.defaultSecurity, source.schemes);
  const responses = compileResponses(
    operation.responses,
    compiler,
    appendPointer(pointer, 'responses'),
    source.componentNames,
  );
  const operationId = operation.operationId ?? `${source.method.toUpperCase()} ${source.template}`;
  const compiled: CompiledOperation = {
    vendor: source.vendor,
    operationId,
    method: source.method.toUpperCase(),
    template: source.template,
    pointer,
    security,
    parameters: compileParameters(declaredParameters(source), compiler, pointer),
    responses,
    answers: compileSpecAnswers(responses, source.version, operationId, source.warn),
    invalidRequestStatus: invalidRequestStatusOf(responses),
  };
  const requestBody = compileRequestBody(
    resolved<RequestBody>(operation.requestBody),
    compiler,
    appendPointer(pointer, 'requestBody'),
  );
  if (requestBody) compiled.requestBody = requestBody;
  const challenge = compileChallenge(operation.security ?? source.defaultSecurity, source.schemes);
  if (challenge) compiled.challenge = challenge;
  return compiled;
}

/** Path-level parameters apply unless the operation redeclares the same name and location. */
function declaredParameters({
  item,
  operation,
  pathPointer,
  pointer,
}: OperationSource): DeclaredParameter[] {
  const own = (operation.parameters ?? []).map((parameter, index) => ({
    parameter: resolved<Parameter>(parameter) as Parameter,
    pointer: appendPointer(pointer, 'parameters', index),
  }));
  const inherited = (item.parameters ?? [])
    .map((parameter, index) => ({
      parameter: resolved<Parameter>(parameter) as Parameter,
      pointer: appendPointer(pathPointer, 'parameters', index),
    }))
    .filter(
      ({ parameter }) =>
        !own.some(
          (entry) => entry.parameter.name === parameter.name && entry.parameter.in === parameter.in,
        ),
    );
  return [...inherited, ...own];
}

/**
 * The status a request that breaks the spec (its parameters, its body) is refused with: the one
 * the operation documents for it. 400 when documented (or when nothing is), else 422 (an API that
 * documents only 422 answers validation failures with it), else 400 under `4XX` or `default`.
 */
function invalidRequestStatusOf(responses: ResponsesPlan): number {
  if (!responses.byKey.has('400') && responses.byKey.has('422')) return 422;
  return 400;
}

/**
 * The spec as standin serves it: dereferenced (bundled when it has cycles, which JSON cannot
 * hold), with standin's own address first among the servers so that tools pointed at it (Swagger
 * UI, generated clients) call the fake.
 */
function servedSpec(spec: LoadedSpec, mountPath: string): string {
  const document = spec.circular && spec.bundled ? spec.bundled : spec.document;
  const servers = [{ url: mountPath || '/', description: 'standin' }, ...(document.servers ?? [])];
  return JSON.stringify({ ...document, servers });
}
