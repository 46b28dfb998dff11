import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookie } from 'cookie';
import getRawBody from 'raw-body';
import type { Logger } from '../logger.js';
import type {
  HandlerContext,
  HandlerRequest,
  HandlerResult,
  Principal,
} from '../handlers/types.js';
import { checkParameters, type ParameterValues } from '../validators/parameters.js';
import { checkBody, expectBody } from '../validators/request-body.js';
import { checkResponse } from '../validators/response.js';
import type { Failure } from '../validators/failure.js';
import { checkSecurity, type Credential, type CredentialSources } from '../validators/security.js';
import type { CompiledOperation, Vendor } from './compile-vendor.js';
import { DEFAULT_NAMESPACE, type Runtime } from './runtime.js';
import { hasPreferences, parsePrefer } from './prefer.js';
import { ProblemError, problems, type Problem } from './problem.js';
import { answerFromSpec, vendorErrorBody } from './spec-answers.js';
import { recordOperation } from './request-log.js';
import { send, sendProblem } from './send.js';

export interface PipelineOptions {
  bodyLimit: number;
  logger: Logger;
  runtime: Runtime;
}

interface Routed {
  operation: CompiledOperation;
  pathParams: Record<string, string>;
}

/**
 * Serves one request to one vendor, in the order of ARCHITECTURE.md: match the operation,
 * check security, then parameters, then the body; let the handler (or the spec) answer; check the
 * answer against the spec; send it. Each step is one function below; a step refuses by throwing a
 * ProblemError, answered in one place.
 */
export async function serveVendorRequest(
  vendor: Vendor,
  request: IncomingMessage,
  response: ServerResponse,
  relativeUrl: string,
  options: PipelineOptions,
): Promise<void> {
  const { path, query } = splitUrl(relativeUrl);
  const fullPath = vendor.mountPath + path;
  let operation: CompiledOperation | undefined;
  try {
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS' && answerOptions(vendor, path, response)) return;
    const routed = route(vendor, method, path);
    operation = routed.operation;
    recordOperation(response, vendor.name, operation.operationId);
    const sources: CredentialSources = {
      headers: request.headers,
      query: new URLSearchParams(query),
      cookies: request.headers.cookie ? parseCookie(request.headers.cookie) : {},
    };
    const credentials = readCredentials(routed.operation, sources);
    const namespace = DEFAULT_NAMESPACE;
    const now = await options.runtime.clock.now(namespace);
    const principal = await identify(
      vendor,
      routed.operation,
      credentials,
      namespace,
      now,
      options.runtime,
    );
    const limited = await applyRateLimit(
      vendor,
      routed.operation,
      principal,
      request,
      response,
      namespace,
      now,
      options.runtime,
    );
    if (limited) {
      sendChecked(response, routed.operation, limited, options.logger);
      return;
    }
    const params = checkRequestParameters(routed, sources);
    const { body, mediaType } = await readRequestBody(routed.operation, request, options.bodyLimit);
    const handlerRequest: HandlerRequest = {
      vendor: vendor.name,
      baseUrl: `http://${request.headers.host ?? 'localhost'}${vendor.mountPath}`,
      operationId: routed.operation.operationId,
      method,
      path,
      params,
      body,
      credentials,
      headers: request.headers,
      ...(mediaType !== undefined ? { mediaType } : {}),
    };
    const context: HandlerContext<unknown> = {
      request: handlerRequest,
      namespace,
      principal,
      now,
      state: options.runtime.states.access(namespace, vendor.name),
    };
    const result = await produceResult(routed.operation, context, fullPath, options.logger);
    sendChecked(response, routed.operation, result, options.logger);
  } catch (error) {
    sendError(response, error, operation, fullPath, options.logger);
  }
}

function splitUrl(url: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  return { path: path === '' ? '/' : path, query: mark < 0 ? '' : url.slice(mark + 1) };
}

/** OPTIONS on a known path that the spec does not define: say which methods there are. */
function answerOptions(vendor: Vendor, path: string, response: ServerResponse): boolean {
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
function route(vendor: Vendor, method: string, path: string): Routed {
  let match;
  try {
    match = vendor.router.match(path);
  } catch {
    throw new ProblemError(
      problems.invalidRequest([
        { in: 'path', pointer: '', message: 'is not valid percent-encoding' },
      ]),
    );
  }
  if (!match) throw new ProblemError(problems.unknownPath(vendor.mountPath + path));
  const operation =
    match.methods.get(method) ?? (method === 'HEAD' ? match.methods.get('GET') : undefined);
  if (!operation) {
    const allow = allowOf(match.methods);
    throw new ProblemError(
      problems.methodNotAllowed(method, vendor.mountPath + match.template, allow),
      {
        allow: allow.join(', '),
      },
    );
  }
  return { operation, pathParams: match.params };
}

function allowOf(methods: ReadonlyMap<string, unknown>): string[] {
  const allow = [...methods.keys()];
  if (methods.has('GET') && !methods.has('HEAD')) allow.push('HEAD');
  return allow;
}

/** Step 2a: the credentials the operation's security schemes name, in the places they name. */
function readCredentials(operation: CompiledOperation, sources: CredentialSources): Credential[] {
  const outcome = checkSecurity(operation.security, sources);
  if (!outcome.ok) throw unauthenticated(operation, outcome.failures);
  return outcome.credentials;
}

/**
 * Step 2b: who the credentials belong to, as the vendor module decides from its state at the
 * clock's time: a revoked or expired token is refused here, on every operation of the vendor.
 */
async function identify(
  vendor: Vendor,
  operation: CompiledOperation,
  credentials: Credential[],
  namespace: string,
  now: Date,
  runtime: Runtime,
): Promise<Principal | undefined> {
  const { authenticate } = vendor.module;
  if (!authenticate || credentials.length === 0 || !runtime.states.has(vendor.name))
    return undefined;
  const state = await runtime.states.read(namespace, vendor.name);
  const outcome = authenticate(credentials, state, now);
  if (!outcome.ok) {
    const scheme = credentials[0]?.scheme;
    throw unauthenticated(operation, [
      { in: 'security', ...(scheme ? { name: scheme } : {}), message: outcome.detail },
    ]);
  }
  return outcome.principal;
}

/**
 * Step 2c: the vendor's documented rate limit, when it is switched on. Its headers go out with
 * whatever answer follows; past the limit, the vendor's own 429 is the answer.
 */
async function applyRateLimit(
  vendor: Vendor,
  operation: CompiledOperation,
  principal: Principal | undefined,
  request: IncomingMessage,
  response: ServerResponse,
  namespace: string,
  now: Date,
  runtime: Runtime,
): Promise<HandlerResult | undefined> {
  const policy = vendor.module.rateLimit;
  if (!policy || !(await runtime.rateLimits.enabled(namespace, vendor.name))) return undefined;
  const { operationId } = operation;
  const clientAddress = request.socket.remoteAddress ?? 'unknown';
  const counter = policy.key({ principal, clientAddress, operationId });
  const decision = await runtime.store.update(
    `${namespace}/rate/${vendor.name}/${counter}`,
    (bucket: unknown) => {
      const taken = policy.take(bucket, now.getTime(), operationId);
      return { value: taken.bucket, result: taken };
    },
  );
  for (const [name, value] of Object.entries(policy.headers(decision)))
    response.setHeader(name, value);
  return decision.allowed ? undefined : policy.refusal(decision);
}

function unauthenticated(operation: CompiledOperation, failures: Failure[]): ProblemError {
  const headers: Record<string, string> = operation.challenge
    ? { 'www-authenticate': operation.challenge }
    : {};
  return new ProblemError(problems.unauthenticated(failures), headers);
}

/** Step 3: path, query, header and cookie parameters, coerced to their schemas' types. */
function checkRequestParameters(routed: Routed, sources: CredentialSources): ParameterValues {
  const outcome = checkParameters(routed.operation.parameters, {
    path: routed.pathParams,
    query: sources.query,
    headers: sources.headers,
    cookies: sources.cookies,
  });
  if (!outcome.ok) throw new ProblemError(problems.invalidRequest(outcome.failures));
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
    throw new ProblemError(
      expected.status === 415
        ? problems.unsupportedMediaType(expected.failures)
        : problems.invalidRequest(expected.failures),
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
      throw new ProblemError(problems.payloadTooLarge(limit), { connection: 'close' });
    }
    throw new ProblemError(
      problems.invalidRequest([
        { in: 'body', pointer: '', message: `could not be read: ${(error as Error).message}` },
      ]),
    );
  }
  const outcome = checkBody(expected, raw);
  if (!outcome.ok) throw new ProblemError(problems.invalidRequest(outcome.failures));
  return { body: outcome.body, mediaType: expected.essence };
}

/**
 * Step 5: the handler answers, or, where none is written or the client asks with `Prefer`, the
 * spec does (its example, or a value generated from its schema).
 */
async function produceResult(
  operation: CompiledOperation,
  context: HandlerContext<unknown>,
  instance: string,
  logger: Logger,
): Promise<HandlerResult> {
  const { request } = context;
  const preferences = parsePrefer(request.headers.prefer);
  if (preferences.invalid.length > 0) {
    throw new ProblemError(
      problems.badPreference(`unusable Prefer: ${preferences.invalid.join('; ')}`),
    );
  }
  if (!operation.handler || hasPreferences(preferences)) {
    return answerFromSpec(
      operation.answers,
      operation.operationId,
      preferences,
      request.headers.accept,
      instance,
    );
  }
  try {
    return await operation.handler(context);
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    logger.error(
      { vendor: operation.vendor, operationId: operation.operationId, err: error },
      'handler failed',
    );
    throw new ProblemError(
      problems.handlerFailed(operation.operationId, (error as Error).message ?? String(error)),
    );
  }
}

/** Step 6: the answer must match the spec before it is sent; if it does not, a 500 says why. */
function sendChecked(
  response: ServerResponse,
  operation: CompiledOperation,
  result: HandlerResult,
  logger: Logger,
): void {
  const outcome = checkResponse(operation.responses, result);
  if (!outcome.ok) {
    const problem = problems.contractViolation(
      operation.operationId,
      result.status,
      outcome.failures,
    );
    logger.error(
      {
        vendor: operation.vendor,
        operationId: operation.operationId,
        status: result.status,
        failures: outcome.failures,
      },
      'contract violation: response not sent',
    );
    sendProblem(response, {
      ...problem,
      vendor: operation.vendor,
      operationId: operation.operationId,
    });
    return;
  }
  send(response, result, outcome.contentType, outcome.kind);
}

/**
 * A refusal: in the vendor's own documented format for that status when its spec has one (and the
 * rendered body passes the same check as any response), else as problem+json.
 */
function sendError(
  response: ServerResponse,
  error: unknown,
  operation: CompiledOperation | undefined,
  instance: string,
  logger: Logger,
): void {
  if (!(error instanceof ProblemError)) {
    logger.error({ err: error }, 'unexpected failure while serving a request');
    sendProblem(response, {
      ...problems.internal(`standin failed while serving this request: ${String(error)}`),
      instance,
    });
    return;
  }
  const problem: Problem = {
    ...error.problem,
    instance,
    ...(operation ? { vendor: operation.vendor, operationId: operation.operationId } : {}),
  };
  if (operation && problem.status < 500) {
    const vendorResult = vendorErrorBody(operation.answers, problem);
    if (vendorResult) {
      const outcome = checkResponse(operation.responses, vendorResult);
      if (outcome.ok) {
        send(response, vendorResult, outcome.contentType, outcome.kind, error.headers);
        return;
      }
      logger.warn(
        {
          vendor: operation.vendor,
          operationId: operation.operationId,
          status: problem.status,
          failures: outcome.failures,
        },
        "the spec's own error format does not validate; answering problem+json instead",
      );
    }
  }
  sendProblem(response, problem, error.headers);
}
