import { HTTP_METHODS, isObject, type Document } from '../spec/openapi.js';

/** One operation of the spec, as `standin init` writes a handler stub for it. */
export interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  summary?: string;
  /** A GET a client can send bare: no path template, no required parameter, no security. */
  bareGet: boolean;
}

/** What `standin init` found in a spec: the operations it can write handlers for, and the others. */
export interface OperationListing {
  /** In the document's order, so the stubs read like the spec. */
  operations: SpecOperation[];
  /** `GET /things`: operations without an operationId, which no handler can name (they answer from the spec). */
  unnamed: string[];
}

/** Handlers are keyed by operationId: an operation without one is listed apart. */
export function listOperations(document: Document): OperationListing {
  const operations: SpecOperation[] = [];
  const unnamed: string[] = [];
  for (const [template, item] of Object.entries(document.paths ?? {})) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const place = `${method.toUpperCase()} ${template}`;
      if (typeof operation.operationId !== 'string') {
        unnamed.push(place);
        continue;
      }
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path: template,
        bareGet: method === 'get' && isBare(template, item, operation, document),
        ...(typeof operation.summary === 'string' ? { summary: operation.summary } : {}),
      });
    }
  }
  return { operations, unnamed };
}

/** Whether a generated test can call it with nothing: the stub's answer then shows the module loads. */
function isBare(
  template: string,
  item: Record<string, unknown>,
  operation: Record<string, unknown>,
  document: Document,
): boolean {
  if (template.includes('{')) return false;
  const parameters = [item.parameters, operation.parameters].flatMap((list) =>
    Array.isArray(list) ? (list as unknown[]) : [],
  );
  if (parameters.some((parameter) => isObject(parameter) && parameter.required === true))
    return false;
  const security = Array.isArray(operation.security) ? operation.security : document.security;
  // No requirement, or one alternative that is empty (`- {}`: anonymous allowed).
  return (
    security === undefined ||
    security.length === 0 ||
    security.some((requirement) => isObject(requirement) && Object.keys(requirement).length === 0)
  );
}
