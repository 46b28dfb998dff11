import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggedFailure, Logger, RequestLogLine } from '../logger.js';
import type { Failure } from '../validators/failure.js';
import { findResponse } from '../validators/response.js';
import type { Credential } from '../validators/security.js';
import type { CompiledOperation } from './compile-vendor.js';
import { expectationOf } from './expected-violations.js';
import { DEFAULT_NAMESPACE, namespaceOf } from './namespace.js';
import type { JournalEntry, RequestObservations, Violation } from './observations.js';
import type { Runtime } from './runtime.js';
import { StoreUnavailableError } from '../state/store.js';

/** A break of the contract seen while serving a request, recorded once the request is answered. */
export interface SeenViolation {
  direction: 'request' | 'response';
  /** The status answered (request side), or the status the handler wanted to send (response side). */
  status: number;
  failures: readonly Failure[];
  /** The whole path below the vendor's mount point as the pipeline saw it. */
  path: string;
}

/**
 * One request as the record step sees it: made by the listener when the request arrives, filled
 * in by the pipeline as it learns (the vendor, the operation once routed, the clock's time, the
 * credential, why it was refused), and recorded once when the response is done.
 */
export interface RequestRecord {
  readonly started: number;
  readonly method: string;
  /** The path without its query string: the only part of the URL a log or the journal holds. */
  readonly path: string;
  /** The namespace the request names; undefined when its header names none standin accepts. */
  readonly namespace: string | undefined;
  vendor?: string;
  operation?: CompiledOperation;
  /** The virtual clock's time, once read (after routing). */
  now?: Date;
  credential?: Credential;
  principal?: string;
  /** True when a fault reset the connection: nothing was answered. */
  reset: boolean;
  /** Why the request was refused, or why the answer broke the spec: for the log line. */
  failures?: readonly Failure[];
  violations: SeenViolation[];
}

/**
 * The record step. `begin` makes a request's record and arranges that, when its response is done
 * (whatever answered it: the pipeline, express, the listener itself), there is one log line, and
 * the journal entry, the count for the documented status it served (coverage) and its violations
 * go to the store as one batch, off the answer's path. The log line and the journal hold the
 * method, the path without its query string, the operation, the status and the duration, never a
 * header, a query or a body, so no credential; the journal names the credential's scheme and
 * owner, and a short fingerprint (a hash, not the secret).
 */
export function recordEveryRequest(
  logger: Logger,
  runtime: Runtime,
): { begin(request: IncomingMessage, response: ServerResponse, path: string): RequestRecord } {
  return {
    begin(request, response, path) {
      const record: RequestRecord = {
        started: performance.now(),
        method: request.method ?? '-',
        path,
        namespace: namespaceOf(request.headers),
        reset: false,
        violations: [],
      };
      let done = false;
      // 'finish' when the answer is handed to the network; 'close' alone when the client left first.
      const finished = (): void => {
        if (done) return;
        done = true;
        const line: RequestLogLine & { vendor?: string } = {
          method: record.method,
          path: record.path,
          operationId: record.operation?.operationId ?? '-',
          status: record.reset ? 0 : response.statusCode,
          durationMs: Math.round((performance.now() - record.started) * 100) / 100,
        };
        if (record.vendor !== undefined) line.vendor = record.vendor;
        if (record.failures && record.failures.length > 0)
          line.failures = record.failures.map(loggedFailure);
        logger.info(line);
        void runtime.observations
          .record(gather(runtime, record, line, request))
          .catch((error: unknown) => {
            // While the store is away the store says so once; a line per request would drown it.
            if (error instanceof StoreUnavailableError) return;
            logger.error({ err: error }, 'the journal could not record a request');
          });
      };
      response.once('finish', finished);
      response.once('close', finished);
      return record;
    },
  };
}

/** A failure as the log shows it: where, what, and the rule in the spec; never a value sent. */
function loggedFailure(failure: Failure): LoggedFailure {
  return {
    in: failure.in,
    ...(failure.name !== undefined ? { name: failure.name } : {}),
    ...(failure.pointer ? { pointer: failure.pointer } : {}),
    message: failure.message,
    ...(failure.schemaPath !== undefined ? { schemaPath: failure.schemaPath } : {}),
  };
}

/** What the request leaves in the store, or undefined for what is not the vendors' traffic. */
async function gather(
  runtime: Runtime,
  record: RequestRecord,
  line: RequestLogLine,
  request: IncomingMessage,
): Promise<RequestObservations | undefined> {
  // The control plane's own calls, the vendor list and the specs are not the vendors' traffic.
  if (record.vendor === '__admin') return undefined;
  if (record.vendor === undefined && line.status !== 404) return undefined;
  const namespace = record.namespace ?? DEFAULT_NAMESPACE;
  // A request refused before its namespace was made is kept by `default` (see NamespaceRegistry).
  const home = runtime.namespaces.isKnown(namespace) ? namespace : DEFAULT_NAMESPACE;
  const { observations } = runtime;
  // The clock was read just after routing: remembered, for the time of entries made while the
  // store cannot be read (Observations.now).
  if (record.now) observations.noteClock(namespace, record.now, Date.now() - line.durationMs);
  const time = (record.now ?? (await observations.now(namespace))).toISOString();
  const { operation, credential } = record;
  const entry: JournalEntry = {
    time,
    namespace,
    vendor: record.vendor ?? null,
    operationId: operation?.operationId ?? null,
    method: line.method,
    path: line.path,
    status: line.status,
    durationMs: line.durationMs,
    credential: credential
      ? {
          scheme: credential.scheme,
          principal: record.principal ?? null,
          fingerprint: createHash('sha256').update(credential.value).digest('hex').slice(0, 12),
        }
      : null,
  };
  const served =
    operation && line.status > 0 ? findResponse(operation.responses, line.status) : undefined;
  return {
    home,
    entry,
    ...(operation && served
      ? {
          served: {
            vendor: operation.vendor,
            operationId: operation.operationId,
            statusKey: served.statusKey,
          },
        }
      : {}),
    violations: await violationsOf(runtime, record, request, namespace, time),
  };
}

async function violationsOf(
  runtime: Runtime,
  record: RequestRecord,
  request: IncomingMessage,
  namespace: string,
  time: string,
): Promise<Violation[]> {
  if (record.violations.length === 0 || record.vendor === undefined) return [];
  const vendor = record.vendor;
  // A negative test may declare its breach (engine/expected-violations.ts); a handler's may not.
  // Asked once per request that broke the contract.
  const expected = record.violations.some((seen) => seen.direction === 'request')
    ? await expectationOf(request.headers, runtime.store, namespace)
    : undefined;
  return record.violations.flatMap((seen) =>
    seen.failures.map((failure) => ({
      ...failure,
      time,
      namespace,
      direction: seen.direction,
      vendor,
      operationId: record.operation?.operationId ?? null,
      method: record.method,
      path: seen.path,
      status: seen.status,
      expected: seen.direction === 'request' && expected !== undefined,
      ...(seen.direction === 'request' && expected?.reason !== undefined
        ? { expectedReason: expected.reason }
        : {}),
    })),
  );
}
