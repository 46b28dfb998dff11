import type { ErrorObject } from './ajv.js';

/** Where a failed check looked. */
export type FailureLocation =
  'security' | 'path' | 'query' | 'header' | 'cookie' | 'body' | 'status' | 'content-type';

/**
 * One failed check, precise enough to act on: where (location, parameter name, JSON pointer into
 * the body), what was expected (the schema keyword and its message) and where the rule stands in
 * the spec (schemaPath).
 */
export interface Failure {
  in: FailureLocation;
  /** The parameter or header name, when the failure is about one. */
  name?: string;
  /** JSON pointer into the value (`/errors/0/title`); '' for the value itself. */
  pointer?: string;
  keyword?: string;
  message: string;
  /** JSON pointer into the spec document to the schema rule that failed. */
  schemaPath?: string;
}

/**
 * Turns ajv's errors into failures. `schemaPointer` is where the compiled schema stands in the
 * spec, so that `schemaPath` names a place in the vendor's document, not in ajv's copy of it.
 */
export function failuresFromAjv(
  errors: readonly ErrorObject[] | null | undefined,
  location: FailureLocation,
  schemaPointer: string,
): Failure[] {
  return (errors ?? []).map((error) => {
    const pointer = pointerWithMissing(error);
    return {
      in: location,
      pointer,
      keyword: error.keyword,
      message: messageOf(error),
      schemaPath: schemaPointer + error.schemaPath.replace(/^#/, ''),
    };
  });
}

/**
 * For a parameter location the compiled schema is an object keyed by parameter name, so the first
 * pointer segment is the name: `/limit` is the parameter `limit` itself.
 */
export function failuresFromParameterAjv(
  errors: readonly ErrorObject[] | null | undefined,
  location: FailureLocation,
  schemaPointers: ReadonlyMap<string, string>,
): Failure[] {
  return (errors ?? []).map((error) => {
    const [, first = '', ...rest] = pointerWithMissing(error).split('/');
    const name = unescape(first);
    const within = rest.length > 0 ? '/' + rest.join('/') : '';
    // Past `#/properties/<name>` the schema path is inside the parameter's own schema.
    const ownPath = error.schemaPath.split('/').slice(3).join('/');
    const schemaPointer = schemaPointers.get(name);
    return {
      in: location,
      name,
      pointer: within,
      keyword: error.keyword,
      message: messageOf(error),
      ...(schemaPointer !== undefined
        ? { schemaPath: ownPath ? `${schemaPointer}/${ownPath}` : schemaPointer }
        : {}),
    };
  });
}

function pointerWithMissing(error: ErrorObject): string {
  const missing = (error.params as { missingProperty?: unknown }).missingProperty;
  if (error.keyword === 'required' && typeof missing === 'string') {
    return `${error.instancePath}/${missing.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  }
  return error.instancePath;
}

function messageOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const base = error.message ?? error.keyword;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `${base}: ${params.allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return `${base}: "${params.additionalProperty}"`;
  }
  return base;
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
