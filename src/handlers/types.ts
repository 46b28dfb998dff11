import type { IncomingHttpHeaders } from 'node:http';
import type { Credential } from '../validators/security.js';
import type { ParameterValues } from '../validators/parameters.js';

/**
 * What a handler answers: a plain value, never a write to the socket, so the engine can check it
 * against the spec before anything is sent.
 */
export interface HandlerResult {
  status: number;
  body?: unknown;
  /** The media type; may be left out when the documented response has only one. */
  contentType?: string;
  headers?: Record<string, string | number | readonly string[]>;
}

/** Everything a handler may know about the request, already checked against the spec. */
export interface HandlerRequest {
  vendor: string;
  operationId: string;
  method: string;
  /** The path below the vendor's mount point, e.g. `/api-tokens`. */
  path: string;
  params: ParameterValues;
  body: unknown;
  /** The request's media type essence, when it had a body. */
  mediaType?: string;
  /** The credentials that satisfied the operation's security (none for an anonymous call). */
  credentials: Credential[];
  headers: IncomingHttpHeaders;
}

export type Handler = (request: HandlerRequest) => HandlerResult | Promise<HandlerResult>;

/**
 * A vendor's behaviour: the module that goes with its spec. Handlers are keyed by operationId;
 * an operation without one answers from the spec (examples or generated values).
 */
export interface VendorModule {
  handlers?: Readonly<Record<string, Handler>>;
}
