import type { ServerResponse } from 'node:http';
import type { HandlerResult } from '../handlers/types.js';
import { formatOfKind, JSON_FORMAT, type BodyFormat } from '../validators/body-format.js';
import { essenceOf, kindOf } from '../validators/media-type.js';
import type { Problem } from './problem.js';

/**
 * Writes a result that has passed its checks. The only place that writes a response body, in the
 * format the response check chose for its media type (XML written from the schema, JSON as
 * JSON); without one, the shared format of the content type's kind.
 */
export function send(
  response: ServerResponse,
  result: HandlerResult,
  contentType: string | undefined,
  format: BodyFormat | undefined,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  response.statusCode = result.status;
  for (const [name, value] of Object.entries({ ...result.headers, ...extraHeaders })) {
    const lower = name.toLowerCase();
    if (lower === 'content-type' || lower === 'content-length') continue;
    response.setHeader(name, typeof value === 'number' ? String(value) : value);
  }
  if (result.body === undefined || contentType === undefined) {
    response.end();
    return;
  }
  const payload = (format ?? formatOfKind(kindOf(essenceOf(contentType) ?? contentType))).serialize(
    result.body,
  );
  response.setHeader(
    'content-type',
    contentType.startsWith('text/') && !contentType.includes('charset')
      ? `${contentType}; charset=utf-8`
      : contentType,
  );
  response.setHeader('content-length', Buffer.byteLength(payload));
  response.end(payload);
}

export function sendJson(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  send(response, { status, body }, contentType, JSON_FORMAT, headers);
}

/** standin's own refusals and failures, as RFC 9457 problem details. */
export function sendProblem(
  response: ServerResponse,
  problem: Problem,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendJson(response, problem.status, 'application/problem+json', problem, headers);
}
