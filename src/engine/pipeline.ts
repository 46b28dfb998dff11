import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCookie } from 'cookie';
import getRawBody from 'raw-body';
import type { Logger } from '../logger.js';
import type {
  HandlerContext,
  HandlerRequest,
  HandlerResult,
  Principal,
} from '../handlers/types.js';
import type { Failure } from '../validators/failure.js';
import { checkParameters, type ParameterValues } from '../validators/parameters.js';
import { checkBody, expectBody } from '../validators/request-body.js';
import { checkResponse } from '../validators/response.js';
import { checkSecurity, type Credential, type CredentialSources } from '../validators/security.js';
import type { CompiledOperation, Vendor } from './compile-vendor.js';
import type { FaultPhase } from './faults.js';
import { NAMESPACE_HEADER } from './namespace.js';
import { readSnapshot, type NamespaceSnapshot } from './namespace-snapshot.js';
import { hasPreferences, parsePrefer, withDynamicDefault } from './prefer.js';
import { ProblemError, problems, type Problem } from './problem.js';
import type { RequestRecord } from './observe.js';
import type { Runtime } from './runtime.js';
import { OutcomeUnknownError, StoreUnavailableError } from '../state/store.js';
import { send, sendProblem } from './send.js';
import { answerFromSpec, vendorErrorBody } from './spec-answers.js';
import { asksForSpecAnswer } from '../handlers/from-spec.js';

export interface PipelineOptions {
  bodyLimit: number;
  logger: Logger;
  runtime: Runtime;
  /**
   * `serve --dynamic`: answer as if every request sent `Prefer: dynamic=true` (off for the
   * control plane, whose answers are its handlers').
   */
  dynamic: boolean;
  /** Where an unknown path probably meant to go (`; did you mean /petstore/v1/pets?`), or ''. */
  hint?: (path: string) => string;
}

/** The request's URL, split once by the listener. */
export interface RequestTarget {
  /** Below the vendor's mount point, still percent-encoded (`/` at least). */
  path: string;
  /** The query string, without its `?` ('' when none). */
  query: string;
}

/** One request on its way through the steps, before routing: what each step needs. */
export interface Exchange {
  vendor: Vendor;
  request: IncomingMessage;
  response: ServerResponse;
  options: PipelineOptions;
  method: string;
  /** Below the vendor's mount point, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  /** The query as sent, still percent-encoded: `allowReserved` is judged on it. */
  rawQuery: string;
  /** The whole path, for messages and violations. */
  fullPath: string;
  /** What the record step will keep of the request (engine/observe.ts): the steps add to it. */
  record: RequestRecord;
}

/**
 * After routing: the operation is known, and the namespace was read (its clock's time, faults and
 * rate-limit switches), so every later step has what it needs without a fallback.
 */
export interface RoutedExchange extends Exchange {
  namespace: string;
  operation: CompiledOperation;
  pathParams: Record<string, string>;
  snapshot: NamespaceSnapshot;
  /** The virtual clock's time when the request was routed. */
  now: Date;
  credentials: Credential[];
  principal?: Principal;
}

/**
 * Serves one request to one vendor, in the order of ARCHITECTURE.md: match the operation, read
 * the namespace, inject a fault if one is set, check security, then parameters, then the body;
 * let the handler (or the spec) answer; check the answer against the spec; send it. Each step is
 * one function below; a step refuses by throwing a ProblemError, answered in one place. What is
 * recorded of it (the journal, coverage, violations) goes into `record`, written once the
 * response is done (engine/observe.ts), never while the client waits.
 */
export async function serveVendorRequest(
  vendor: Vendor,
  request: IncomingMessage,
  response: ServerResponse,
  target: RequestTarget,
  record: RequestRecord,
  options: PipelineOptions,
): Promise<void> {
  const exchange: Exchange = {
    vendor,
    request,
    response,
    options,
    method: request.method ?? 'GET',
    path: target.path,
    query: new URLSearchParams(target.query),
    rawQuery: target.query,
    fullPath: vendor.mountPath + target.path,
    record,
  };
  record.vendor = vendor.name;
  let operation: CompiledOperation | undefined;
  try {
    const namespace = chooseNamespace(record);
    if (exchange.method === 'OPTIONS' && answerOptions(exchange)) return;
    const match = route(exchange);
    operation = match.operation;
    record.operation = operation;
    const routed = await readNamespace(exchange, namespace, match);
    if (await injectFault(routed, 'before-commit')) return;
    const sources: CredentialSources = {
      headers: request.headers,
      rawHeaders: request.rawHeaders,
      query: exchange.query,
      cookies: request.headers.cookie ? parseCookie(request.headers.cookie) : {},
    };
    routed.credentials = readCredentials(operation, sources);
    if (routed.credentials[0]) record.credential = routed.credentials[0];
    await admitNamespace(routed);
    const principal = await identify(routed);
    if (principal) {
      routed.principal = principal;
      record.principal = principal.id;
    }
    const limited = await applyRateLimit(routed);
    if (limited) {
      sendChecked(routed, limited);
      return;
    }
    const params = checkRequestParameters(routed, sources);
    const { body, mediaType } = await readRequestBody(operation, request, options.bodyLimit);
    const result = await produceResult(routed, params, body, mediaType);
    if (await injectFault(routed, 'after-commit')) return;
    sendChecked(routed, result);
  } catch (error) {
    try {
      sendError(exchange, operation, error);
    } catch (failure) {
      // Answering the refusal failed too: the request is still answered, and nothing escapes as
      // an unhandled rejection.
      sendFailure(response, failure, exchange.fullPath);
    }
  }
}

/**
 * Answers an error that is not a refusal: 503 while the store is away and nothing was changed
 * (retry soon); 500 outcome-unknown when a change may or may not have been made (read first);
 * else 500.
 */
function sendFailure(response: ServerResponse, error: unknown, instance: string): void {
  if (error instanceof OutcomeUnknownError) {
    // No Retry-After: retrying blindly is what this answer exists to prevent.
    sendProblem(response, { ...problems.outcomeUnknown(error.message), instance });
    return;
  }
  if (error instanceof StoreUnavailableError) {
    sendProblem(
      response,
      { ...problems.storeUnavailable(error.message), instance },
      { 'retry-after': '1' },
    );
    return;
  }
  sendProblem(response, {
    ...problems.internal(`standin failed while serving this request: ${String(error)}`),
    instance,
  });
}

/** Step 0: whose states, clock and journal this request works on (see engine/namespace.ts). */
function chooseNamespace(record: RequestRecord): string {
  if (record.namespace === undefined) {
    throw new ProblemError(
      problems.badNamespace(
        `${NAMESPACE_HEADER} must be 1 to 64 letters, digits, dots, dashes or underscores`,
      ),
    );
  }
  return record.namespace;
}

/**
 * Step 1b: the namespace's clock, faults and rate-limit switches, in one store call
 * (engine/namespace-snapshot.ts). From here on the exchange has its operation and its time.
 */
async function readNamespace(
  exchange: Exchange,
  namespace: string,
  match: { operation: CompiledOperation; pathParams: Record<string, string> },
): Promise<RoutedExchange> {
  const snapshot = await readSnapshot(exchange.options.runtime, namespace);
  exchange.record.now = snapshot.now;
  return {
    ...exchange,
    namespace,
    operation: match.operation,
    pathParams: match.pathParams,
    snapshot,
    now: snapshot.now,
    credentials: [],
  };
}

/**
 * Step 2a': the namespace is made here, once the request is known to be for a real operation
 * with its credentials in place: a 404 or a missing credential makes none (see
 * engine/namespace-registry.ts).
 */
async function admitNamespace({ namespace, options }: RoutedExchange): Promise<void> {
  const { namespaces } = options.runtime;
  if (await namespaces.admit(namespace)) return;
  throw new ProblemError(
    problems.tooManyNamespaces(
      `standin holds ${namespaces.max} namespaces besides default (--max-namespaces), so "${namespace}" cannot be made; DELETE /__admin/namespaces/{name} frees one`,
    ),
  );
}

/** OPTIONS on a known path that the spec does not define: say which methods there are. */
function answerOptions({ vendor, path, response }: Exchange): boolean {
  let match;
  try {
    match = vendor.router.match(path);
  } catch {
    return false;
  }
  if (!match || match.methods.has('OPTIONS')) return false;
  response.statusCode = 204;
  response.setHeader('allow', allowOf(match.methods).join(', '));
  response.end();
  return true;
}

/** Step 1: which operation? 404 for an unknown path, 405 (with Allow) for a known one. */
function route(exchange: Exchange): {
  operation: CompiledOperation;
  pathParams: Record<string, string>;
} {
  const { vendor, method, path } = exchange;
  let match;
  try {
    match = vendor.router.match(path);
  } catch {
    throw clientBroke(
      problems.invalidRequest([
        { in: 'path', pointer: '', message: 'is not valid percent-encoding' },
      ]),
    );
  }
  if (!match) {
    const problem = problems.unknownPath(exchange.fullPath);
    problem.detail += exchange.options.hint?.(exchange.fullPath) ?? '';
    throw clientBroke(problem);
  }
  const operation =
    match.methods.get(method) ?? (method === 'HEAD' ? match.methods.get('GET') : undefined);
  if (!operation) {
    const allow = allowOf(match.methods);
    throw clientBroke(problems.methodNotAllowed(method, vendor.mountPath + match.template, allow), {
      allow: allow.join(', '),
    });
  }
  return { operation, pathParams: match.params };
}

function allowOf(methods: ReadonlyMap<string, unknown>): string[] {
  const allow = [...methods.keys()];
  if (methods.has('GET') && !methods.has('HEAD')) allow.push('HEAD');
  return allow;
}

/**
 * Step 1c: a fault set through the control plane (`POST /__admin/faults`): a delay, a documented
 * status in place of the answer, or a reset connection. True when it answered the request.
 */
async function injectFault(exchange: RoutedExchange, phase: FaultPhase): Promise<boolean> {
  const { operation } = exchange;
  const fault = await exchange.options.runtime.faults.takeFrom(
    exchange.snapshot.faults,
    exchange.namespace,
    exchange.vendor.name,
    operation.operationId,
    phase,
  );
  if (!fault) return false;
  if (fault.delayMs > 0) await sleep(fault.delayMs);
  if (fault.reset) {
    exchange.record.reset = true;
    exchange.request.socket.resetAndDestroy();
    return true;
  }
  if (fault.status === null) return false;
  const answer = answerFromSpec(
    operation.answers,
    operation.operationId,
    { code: fault.status, invalid: [] },
    exchange.request.headers.accept,
    exchange.fullPath,
  );
  sendChecked(exchange, withoutHeadersSet(answer, exchange.response));
  return true;
}

/** Step 2a: the credentials the operation's security schemes name, in the places they name. */
function readCredentials(operation: CompiledOperation, sources: CredentialSources): Credential[] {
  const outcome = checkSecurity(operation.security, sources);
  if (!outcome.ok) throw unauthenticated(operation, outcome.failures, true);
  return outcome.credentials;
}

/**
 * Step 2b: who the credentials belong to, as the vendor module decides from its state at the
 * clock's time: a revoked or expired token is refused here, on every operation of the vendor.
 * That is not a break of the contract: the credential was well-formed, it just is not valid.
 */
async function identify(exchange: RoutedExchange): Promise<Principal | undefined> {
  const { vendor, credentials, namespace, options, operation } = exchange;
  const { authenticate } = vendor.module;
  // A module with authenticate has a state: compileVendor refuses one without at start.
  if (!authenticate || credentials.length === 0) return undefined;
  const state = await options.runtime.states.read(namespace, vendor.name);
  const outcome = authenticate(credentials, state, exchange.now);
  if (!outcome.ok) {
    const scheme = credentials[0]?.scheme;
    throw unauthenticated(
      operation,
      [{ in: 'security', ...(scheme ? { name: scheme } : {}), message: outcome.detail }],
      false,
    );
  }
  return outcome.principal;
}

/**
 * Step 2c: the vendor's documented rate limit, when it is switched on. Its headers go out with
 * whatever answer follows; past the limit, the vendor's own 429 is the answer.
 */
async function applyRateLimit(exchange: RoutedExchange): Promise<HandlerResult | undefined> {
  const { vendor, namespace, options, request, response, operation } = exchange;
  const { runtime } = options;
  const policy = vendor.module.rateLimit;
  if (!policy || !exchange.snapshot.rateLimitOn(vendor.name)) return undefined;
  const { operationId } = operation;
  if (policy.exempt?.(operationId)) return undefined;
  const now = exchange.now.getTime();
  const clientAddress = request.socket.remoteAddress ?? 'unknown';
  const counter = policy.key({ principal: exchange.principal, clientAddress, operationId });
  const decision = await runtime.store.update(
    `${namespace}/rate/${vendor.name}/${counter}`,
    (bucket: unknown) => {
      const taken = policy.take(bucket, now, operationId);
      return { value: taken.bucket, result: taken };
    },
  );
  for (const [name, value] of Object.entries(policy.headers(decision)))
    response.setHeader(name, value);
  return decision.allowed ? undefined : policy.refusal(decision);
}

function unauthenticated(
  operation: CompiledOperation,
  failures: Failure[],
  broke: boolean,
): ProblemError {
  // RFC 9110 §15.5.2: a 401 carries a challenge for each scheme it would accept.
  const headers: Record<string, string> = operation.challenge
    ? { 'www-authenticate': operation.challenge.header() }
    : {};
  const problem = problems.unauthenticated(failures);
  return broke ? clientBroke(problem, headers) : new ProblemError(problem, headers);
}

/** Step 3: path, query, header and cookie parameters, coerced to their schemas' types. */
function checkRequestParameters(
  exchange: RoutedExchange,
  sources: CredentialSources,
): ParameterValues {
  const outcome = checkParameters(exchange.operation.parameters, {
    path: exchange.pathParams,
    query: sources.query,
    rawQuery: exchange.rawQuery,
    headers: sources.headers,
    cookies: sources.cookies,
  });
  if (!outcome.ok)
    throw clientBroke(
      problems.invalidRequest(outcome.failures, exchange.operation.invalidRequestStatus),
    );
  return outcome.values;
}

/**
 * Step 4: the body, by media type: 415 for an undeclared one before reading a byte, 413 past the
 * limit, 400 when it does not parse or does not match its schema. An operation that declares no
 * body ignores whatever is sent (clients often send `Content-Type: application/json` and nothing).
 */
async function readRequestBody(
  operation: CompiledOperation,
  request: IncomingMessage,
  limit: number,
): Promise<{ body: unknown; mediaType?: string }> {
  const plan = operation.requestBody;
  if (!plan) return { body: undefined };
  const expected = expectBody(plan, request.headers);
  if (!expected.ok) {
    throw clientBroke(
      expected.status === 415
        ? problems.unsupportedMediaType(expected.failures)
        : problems.invalidRequest(expected.failures, operation.invalidRequestStatus),
    );
  }
  if (!expected.present) return { body: undefined };
  let raw: Buffer;
  try {
    raw = await getRawBody(request, { limit, length: request.headers['content-length'] });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      // Refuse the rest of an oversized body rather than read it.
      throw clientBroke(problems.payloadTooLarge(limit), { connection: 'close' });
    }
    throw clientBroke(
      problems.invalidRequest(
        [{ in: 'body', pointer: '', message: `could not be read: ${(error as Error).message}` }],
        operation.invalidRequestStatus,
      ),
    );
  }
  const outcome = checkBody(expected, raw);
  if (!outcome.ok)
    throw clientBroke(
      outcome.status === 413
        ? {
            ...problems.payloadTooLarge(limit),
            detail: outcome.failures.map((failure) => failure.message).join('; '),
            errors: outcome.failures,
          }
        : problems.invalidRequest(outcome.failures, operation.invalidRequestStatus),
    );
  return { body: outcome.body, mediaType: expected.essence };
}

/**
 * Step 5: the handler answers, or, where none is written or the client asks with `Prefer`, the
 * spec does (its example, or a value generated from its schema).
 */
async function produceResult(
  exchange: RoutedExchange,
  params: ParameterValues,
  body: unknown,
  mediaType: string | undefined,
): Promise<HandlerResult> {
  const { vendor, request, options, operation } = exchange;
  const preferences = withDynamicDefault(parsePrefer(request.headers.prefer), options.dynamic);
  if (preferences.invalid.length > 0) {
    throw new ProblemError(
      problems.badPreference(`unusable Prefer: ${preferences.invalid.join('; ')}`),
    );
  }
  const specAnswer = (): HandlerResult =>
    withoutHeadersSet(
      answerFromSpec(
        operation.answers,
        operation.operationId,
        preferences,
        request.headers.accept,
        exchange.fullPath,
      ),
      exchange.response,
    );
  if (!operation.handler || hasPreferences(preferences)) return specAnswer();
  const handlerRequest: HandlerRequest = {
    vendor: vendor.name,
    baseUrl: `http://${request.headers.host ?? 'localhost'}${vendor.mountPath}`,
    operationId: operation.operationId,
    method: exchange.method,
    path: exchange.path,
    params,
    body,
    credentials: exchange.credentials,
    headers: request.headers,
    ...(mediaType !== undefined ? { mediaType } : {}),
  };
  const context: HandlerContext<unknown> = {
    request: handlerRequest,
    namespace: exchange.namespace,
    principal: exchange.principal,
    now: exchange.now,
    state: options.runtime.states.access(exchange.namespace, vendor.name),
  };
  try {
    return await operation.handler(context);
  } catch (error) {
    // A stub `standin init` wrote, or a handler that only handles some cases: `fromSpec()`.
    if (asksForSpecAnswer(error)) return specAnswer();
    // The store's own failures are not the handler's: they are answered as such (sendFailure).
    if (
      error instanceof ProblemError ||
      error instanceof StoreUnavailableError ||
      error instanceof OutcomeUnknownError
    )
      throw error;
    options.logger.error(
      { vendor: operation.vendor, operationId: operation.operationId, err: error },
      'handler failed',
    );
    throw new ProblemError(
      problems.handlerFailed(operation.operationId, (error as Error).message ?? String(error)),
    );
  }
}

/**
 * An answer from the spec without the documented headers the request already has real values for
 * (a rate limit's counters): the spec's examples must not replace them.
 */
function withoutHeadersSet(result: HandlerResult, response: ServerResponse): HandlerResult {
  if (!result.headers || !Object.keys(result.headers).some((name) => response.hasHeader(name)))
    return result;
  const headers = Object.fromEntries(
    Object.entries(result.headers).filter(([name]) => !response.hasHeader(name)),
  );
  return { ...result, headers };
}

/** A 401 the handler answered itself carries the operation's challenge too (RFC 9110 §15.5.2). */
function withChallenge(operation: CompiledOperation, result: HandlerResult): HandlerResult {
  if (result.status !== 401 || !operation.challenge) return result;
  const headers = result.headers ?? {};
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'www-authenticate')) return result;
  return {
    ...result,
    headers: { ...headers, 'www-authenticate': operation.challenge.header() },
  };
}

/**
 * Step 6: the answer must match the spec before it is sent; if it does not, a 500 says why, and
 * the violation is logged and recorded.
 */
function sendChecked(exchange: RoutedExchange, answered: HandlerResult): void {
  const { operation } = exchange;
  const result = withChallenge(operation, answered);
  const outcome = checkResponse(operation.responses, result);
  if (outcome.ok) {
    send(exchange.response, result, outcome.contentType, outcome.kind);
    return;
  }
  const problem = problems.contractViolation(
    operation.operationId,
    result.status,
    outcome.failures,
  );
  exchange.record.failures = outcome.failures;
  exchange.options.logger.error(
    {
      vendor: operation.vendor,
      operationId: operation.operationId,
      status: result.status,
      failures: outcome.failures,
    },
    'contract violation: response not sent',
  );
  noteViolations(exchange, 'response', result.status, outcome.failures);
  sendProblem(exchange.response, {
    ...problem,
    vendor: operation.vendor,
    operationId: operation.operationId,
  });
}

/**
 * A refusal: in the vendor's own documented format for that status when its spec has one (and the
 * rendered body passes the same check as any response), else as problem+json. A refusal because
 * the client broke the spec is recorded as a violation.
 */
function sendError(
  exchange: Exchange,
  operation: CompiledOperation | undefined,
  error: unknown,
): void {
  const { response, options } = exchange;
  const instance = exchange.fullPath;
  if (!(error instanceof ProblemError)) {
    // The store being away is reported once by the store, not once per request.
    if (!(error instanceof StoreUnavailableError))
      options.logger.error({ err: error }, 'unexpected failure while serving a request');
    sendFailure(response, error, instance);
    return;
  }
  if (error.problem.errors) exchange.record.failures = error.problem.errors;
  const headers = challenged(error, operation);
  const problem: Problem = {
    ...error.problem,
    instance,
    ...(operation ? { vendor: operation.vendor, operationId: operation.operationId } : {}),
  };
  if (error.clientBroke) {
    const failures = problem.errors ?? [
      { in: 'path' as const, pointer: '', message: problem.detail },
    ];
    noteViolations(exchange, 'request', problem.status, failures);
  }
  if (operation && problem.status < 500) {
    const documented = vendorErrorBody(operation.answers, problem);
    // The refusal's own headers (Allow, WWW-Authenticate) count towards the documented ones.
    const vendorResult = documented && {
      ...documented,
      headers: { ...documented.headers, ...headers },
    };
    if (vendorResult) {
      const outcome = checkResponse(operation.responses, vendorResult);
      if (outcome.ok) {
        send(response, vendorResult, outcome.contentType, outcome.kind, error.headers);
        return;
      }
      options.logger.warn(
        {
          vendor: operation.vendor,
          operationId: operation.operationId,
          status: problem.status,
          failures: outcome.failures,
        },
        "the spec's own error format does not validate; answering problem+json instead",
      );
      noteViolations(exchange, 'response', problem.status, outcome.failures);
    }
  }
  sendProblem(response, problem, headers);
}

/**
 * A refusal's headers; a 401 a handler refused with (`refuse(401, ...)`: a token that died
 * meanwhile) gets the operation's challenge like the engine's own 401s.
 */
function challenged(
  error: ProblemError,
  operation: CompiledOperation | undefined,
): Record<string, string> {
  if (error.problem.status !== 401 || !operation?.challenge) return error.headers;
  if (Object.keys(error.headers).some((name) => name.toLowerCase() === 'www-authenticate'))
    return error.headers;
  return { ...error.headers, 'www-authenticate': operation.challenge.header() };
}

/** A refusal because the request broke the spec: recorded as a violation when it is answered. */
function clientBroke(problem: Problem, headers: Record<string, string> = {}): ProblemError {
  return new ProblemError(problem, headers, true);
}

/**
 * A break of the contract, kept in the request's record: the record step writes it with the
 * journal entry once the request is answered (the control plane's own calls are not the vendors'
 * contract, and are not recorded).
 */
function noteViolations(
  exchange: Exchange,
  direction: 'request' | 'response',
  status: number,
  failures: readonly Failure[],
): void {
  exchange.record.violations.push({ direction, status, failures, path: exchange.fullPath });
}
