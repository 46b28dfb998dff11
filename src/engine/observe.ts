import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggedFailure, Logger, RequestLogLine } from '../logger.js';
import type { Failure } from '../validators/failure.js';
import { findResponse } from '../validators/response.js';
import { DEFAULT_NAMESPACE, namespaceOf } from './namespace.js';
import type { JournalEntry } from './observations.js';
import type { Exchange } from './pipeline.js';
import type { Runtime } from './runtime.js';
import { StoreUnavailableError } from '../state/store.js';

/** The exchange a response belongs to, noted by the pipeline for when the response is done. */
const exchanges = new WeakMap<ServerResponse, Exchange>();

export function noteExchange(response: ServerResponse, exchange: Exchange): void {
  exchanges.set(response, exchange);
}

/**
 * When a response is done, whatever answered it: one log line; the journal entry; a count for the
 * documented status it served (coverage). The log line and the journal hold the method, the path
 * without its query string, the operation, the status and the duration, never a header, a query
 * or a body, so no credential; the journal names the credential's scheme and owner, and a short
 * fingerprint (a hash, not the secret).
 */
export function observeEveryRequest(
  logger: Logger,
  runtime: Runtime,
): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  return (request, response, next) => {
    const started = performance.now();
    let done = false;
    // 'finish' when the answer is handed to the network; 'close' alone when the client left first.
    const observe = (): void => {
      if (done) return;
      done = true;
      const exchange = exchanges.get(response);
      const url = request.url ?? '/';
      const mark = url.indexOf('?');
      const line: RequestLogLine & { vendor?: string } = {
        method: request.method ?? '-',
        path: mark < 0 ? url : url.slice(0, mark),
        operationId: exchange?.operation?.operationId ?? '-',
        status: exchange?.reset ? 0 : response.statusCode,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      };
      if (exchange) line.vendor = exchange.vendor.name;
      if (exchange?.failures && exchange.failures.length > 0)
        line.failures = exchange.failures.map(loggedFailure);
      logger.info(line);
      void record(runtime, line, exchange, request).catch((error: unknown) => {
        // While the store is away the store says so once; a line per request would drown it.
        if (error instanceof StoreUnavailableError) return;
        logger.error({ err: error }, 'the journal could not record a request');
      });
    };
    response.once('finish', observe);
    response.once('close', observe);
    next();
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

async function record(
  runtime: Runtime,
  line: RequestLogLine,
  exchange: Exchange | undefined,
  request: IncomingMessage,
): Promise<void> {
  // The control plane's own calls, the vendor list and the specs are not the vendors' traffic.
  if (exchange?.vendor.name === '__admin') return;
  if (!exchange && line.status !== 404) return;
  const namespace = exchange?.namespace ?? namespaceOf(request.headers) ?? DEFAULT_NAMESPACE;
  const home = runtime.namespaces.isKnown(namespace) ? namespace : DEFAULT_NAMESPACE;
  const { observations } = runtime;
  // The clock was read just after the request arrived: remembered, for the time of entries made
  // while the store cannot be read (Observations.now).
  if (exchange?.now) observations.noteClock(namespace, exchange.now, Date.now() - line.durationMs);
  const time = (exchange?.now ?? (await observations.now(namespace))).toISOString();
  const credential = exchange?.credentials[0];
  const entry: JournalEntry = {
    time,
    namespace,
    vendor: exchange?.vendor.name ?? null,
    operationId: exchange?.operation?.operationId ?? null,
    method: line.method,
    path: line.path,
    status: line.status,
    durationMs: line.durationMs,
    credential: credential
      ? {
          scheme: credential.scheme,
          principal: exchange?.principal?.id ?? null,
          fingerprint: createHash('sha256').update(credential.value).digest('hex').slice(0, 12),
        }
      : null,
  };
  await runtime.observations.recordRequest(entry, home);
  const operation = exchange?.operation;
  const served =
    operation && line.status > 0 ? findResponse(operation.responses, line.status) : undefined;
  if (operation && served) {
    await runtime.observations.countServed(
      home,
      operation.vendor,
      operation.operationId,
      served.statusKey,
    );
  }
}
