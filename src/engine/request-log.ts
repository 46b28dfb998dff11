import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger, RequestLogLine } from '../logger.js';

/** The operation a response answered, noted by the pipeline for the log line. */
const operations = new WeakMap<ServerResponse, { vendor: string; operationId: string }>();

export function recordOperation(
  response: ServerResponse,
  vendor: string,
  operationId: string,
): void {
  operations.set(response, { vendor, operationId });
}

/**
 * One log line per request, whatever answered it (a vendor operation, the vendor list, a 404),
 * written when the response is done. Only the method, the path without its query string, the
 * operation, the status and the duration: never a header, a query or a body, so no credential.
 */
export function logEveryRequest(
  logger: Logger,
): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  return (request, response, next) => {
    const started = performance.now();
    let logged = false;
    // 'finish' when the answer is handed to the network; 'close' alone when the client left first.
    const log = (): void => {
      if (logged) return;
      logged = true;
      const operation = operations.get(response);
      const url = request.url ?? '/';
      const mark = url.indexOf('?');
      const line: RequestLogLine & { vendor?: string } = {
        method: request.method ?? '-',
        path: mark < 0 ? url : url.slice(0, mark),
        operationId: operation?.operationId ?? '-',
        status: response.statusCode,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      };
      if (operation) line.vendor = operation.vendor;
      logger.info(line);
    };
    response.once('finish', log);
    response.once('close', log);
    next();
  };
}
