import { STATUS_CODES } from 'node:http';
import type { Failure } from '../validators/failure.js';

/**
 * An RFC 9457 problem: what standin answers when it refuses a request or catches a broken
 * response. Every template lives in this file; a vendor's own error formats are produced from its
 * spec (see `vendorErrorBody` in engine/spec-answers.ts).
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  vendor?: string;
  operationId?: string;
  /** Each failed check: where it looked and what was expected. */
  errors?: Failure[];
}

/** Thrown by a step of the request pipeline; turned into a response in one place. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
    /** True when the request broke the spec (a contract violation), not merely a refusal. */
    readonly clientBroke = false,
  ) {
    // A refusal is ordinary control flow: its stack trace is of no use, and capturing one for
    // every refused request showed in the profile.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(problem.detail);
    Error.stackTraceLimit = limit;
    this.name = 'ProblemError';
  }
}

const TYPE_PREFIX = 'urn:standin:problem:';

function problem(
  kind: string,
  title: string,
  status: number,
  detail: string,
  errors?: Failure[],
): Problem {
  return { type: TYPE_PREFIX + kind, title, status, detail, ...(errors ? { errors } : {}) };
}

function list(failures: readonly Failure[], withSchemaPath = false): string {
  return failures
    .map((failure) => {
      const where = [failure.in, failure.name, failure.pointer]
        .filter((part) => part !== undefined && part !== '')
        .join(' ');
      const rule = withSchemaPath && failure.schemaPath ? ` (spec ${failure.schemaPath})` : '';
      return `${where}: ${failure.message}${rule}`;
    })
    .join('; ');
}

export const problems = {
  unknownPath: (path: string): Problem =>
    problem(
      'unknown-path',
      'Not Found',
      404,
      `no operation of any loaded spec matches the path ${path}`,
    ),

  methodNotAllowed: (method: string, path: string, allowed: readonly string[]): Problem =>
    problem(
      'method-not-allowed',
      'Method Not Allowed',
      405,
      `${method} is not an operation of ${path}; the spec allows ${allowed.join(', ')}`,
    ),

  unauthenticated: (failures: Failure[]): Problem =>
    problem(
      'unauthenticated',
      'Unauthorized',
      401,
      `no acceptable credentials: ${list(failures)}`,
      failures,
    ),

  /** 400, or the status the operation documents for a request breaking the spec (422). */
  invalidRequest: (failures: Failure[], status = 400): Problem =>
    problem(
      'invalid-request',
      STATUS_CODES[status] ?? 'Bad Request',
      status,
      `the request does not match the spec: ${list(failures)}`,
      failures,
    ),

  unsupportedMediaType: (failures: Failure[]): Problem =>
    problem('unsupported-media-type', 'Unsupported Media Type', 415, list(failures), failures),

  payloadTooLarge: (limit: number): Problem =>
    problem(
      'payload-too-large',
      'Content Too Large',
      413,
      `the request body is larger than the limit of ${limit} bytes`,
    ),

  badPreference: (detail: string): Problem => problem('bad-preference', 'Bad Request', 400, detail),

  badNamespace: (detail: string): Problem => problem('bad-namespace', 'Bad Request', 400, detail),

  badHost: (detail: string): Problem => problem('bad-host', 'Bad Request', 400, detail),

  hostNotAllowed: (detail: string): Problem =>
    problem('host-not-allowed', 'Forbidden', 403, detail),

  crossOriginRefused: (detail: string): Problem =>
    problem('cross-origin-refused', 'Forbidden', 403, detail),

  tooManyNamespaces: (detail: string): Problem =>
    problem('too-many-namespaces', 'Service Unavailable', 503, detail),

  contractViolation: (operationId: string, status: number, failures: Failure[]): Problem =>
    problem(
      'contract-violation',
      'Response Violates The Spec',
      500,
      `the response of ${operationId} (status ${status}) does not match the spec, so it was not sent: ${list(failures, true)}`,
      failures,
    ),

  internal: (detail: string): Problem => problem('internal', 'Internal Server Error', 500, detail),

  storeUnavailable: (detail: string): Problem =>
    problem('store-unavailable', 'Service Unavailable', 503, detail),

  /** A change was sent to the store and may or may not have been made: no Retry-After on purpose. */
  outcomeUnknown: (detail: string): Problem =>
    problem(
      'outcome-unknown',
      'Outcome Unknown',
      500,
      `${detail}. This request may or may not have taken effect: read the state before retrying (GET /__admin/credentials for the credentials valid now, GET /__admin/state/{vendor} for the rest), since repeating a rotation that did happen would replace the credential it made`,
    ),

  /**
   * A vendor handler's refusal (handlers/refuse.ts): any status, titled by HTTP; answered in the
   * vendor's documented format for that status when its spec has one.
   */
  refused: (status: number, detail: string): Problem =>
    problem('refused', STATUS_CODES[status] ?? 'Error', status, detail),

  /** A control-plane operation's refusal (admin/control-plane.ts): any status, titled by HTTP. */
  controlPlane: (status: number, detail: string, errors?: Failure[]): Problem =>
    problem('control-plane', STATUS_CODES[status] ?? 'Error', status, detail, errors),

  handlerFailed: (operationId: string, message: string): Problem =>
    problem(
      'handler-failed',
      'Internal Server Error',
      500,
      `the handler of ${operationId} failed: ${message}`,
    ),
};
