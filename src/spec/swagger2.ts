import type { OpenAPIV2 } from 'openapi-types';
import { pointerFrom, segmentsOf } from './json-pointer.js';
import { isObject } from './openapi.js';
import type { RawDocument } from './lenient.js';
import type { SpecProblem } from './spec-error.js';

/**
 * Swagger 2.0 documents are served by converting them to OpenAPI 3.0 at load (swagger2openapi).
 * The converted document is what the engine reads and what `/openapi.json` serves; every problem
 * found in it is named at its place in the user's 2.0 file where that place is clear.
 */

/** Converts a validated Swagger 2.0 document (its `$ref`s kept) to OpenAPI 3.0. */
export async function convertSwagger2(
  original: RawDocument,
  lenient: boolean,
): Promise<RawDocument> {
  // Loaded on the first 2.0 document only: its import costs a start without one ~60 ms.
  const { default: swagger2openapi } = await import('swagger2openapi');
  const { openapi } = await swagger2openapi.convertObj(
    // The converter changes its input: it gets a copy, so that `original` still describes the
    // file when problems are mapped back to it. A copy through JSON, because YAML anchors make
    // one object appear at two places, which the converter refuses (or would convert twice).
    JSON.parse(JSON.stringify(original)) as OpenAPIV2.Document,
    {
      // Never the network, nor other files: external `$ref`s are left for swagger-parser, which
      // resolves local files only.
      resolve: false,
      // The 2.0 document has been validated already; what `patch` mends are slips the 2.0 schema
      // tolerates (a path parameter without `required`), mended as the 2.0 reading would have it.
      patch: true,
      // Leniently, a part it cannot convert is marked (x-s2o-warning) instead of stopping the start.
      warnOnly: lenient,
    },
  );
  return openapi as unknown as RawDocument;
}

/**
 * The place, in the original 2.0 document, of a problem found in the converted one. Where there is
 * no clear counterpart the problem keeps its converted place, marked as such.
 */
export function placeInOriginal(
  problem: SpecProblem,
  original: RawDocument,
  converted: RawDocument,
): SpecProblem {
  if (problem.pointer === undefined || problem.inConverted === true) return problem;
  const mapped = originalSegments(segmentsOf(problem.pointer), original, converted);
  if (mapped !== undefined && exists(original, mapped)) {
    return { ...problem, pointer: pointerFrom(mapped) };
  }
  return { ...problem, inConverted: true };
}

type Segments = string[];

function originalSegments(
  segments: Segments,
  original: RawDocument,
  converted: RawDocument,
): Segments | undefined {
  const [first, second, name, ...rest] = segments;
  if (first === 'components' && name !== undefined) {
    if (second === 'schemas') return ['definitions', name, ...rest];
    if (second === 'parameters') return ['parameters', name, ...parameterRest(rest)];
    // Body parameters defined once become request bodies of the same name.
    if (second === 'requestBodies') return ['parameters', name, ...schemaOfContent(rest)];
    if (second === 'responses') return ['responses', name, ...schemaOfContent(rest)];
    if (second === 'securitySchemes') return ['securityDefinitions', name];
    return undefined;
  }
  if (first === 'paths' && second !== undefined) return pathSegments(segments, original, converted);
  if (first === 'info' || first === 'security' || first === 'tags') return segments;
  return undefined;
}

/** `#/paths/P[/M]/...`: the same place, except where 2.0 and 3.0 shape an operation differently. */
function pathSegments(
  segments: Segments,
  original: RawDocument,
  converted: RawDocument,
): Segments | undefined {
  const [, template = '', method] = segments;
  // Path-item parameters sit beside the operations: `#/paths/P/parameters/0`.
  const operationSegments =
    method === undefined || method === 'parameters'
      ? ['paths', template]
      : ['paths', template, method];
  const [part, key, ...deeper] = segments.slice(operationSegments.length);
  if (part === 'responses' && key !== undefined) {
    return [...operationSegments, 'responses', key, ...schemaOfContent(deeper)];
  }
  if (part === 'requestBody') {
    return requestBodySegments(
      operationSegments,
      key === undefined ? [] : [key, ...deeper],
      original,
    );
  }
  if (part === 'parameters' && key !== undefined) {
    const convertedParameter = readAt(converted, [...operationSegments, 'parameters', key]);
    const originalParameters = readAt(original, [...operationSegments, 'parameters']);
    if (!Array.isArray(originalParameters)) return undefined;
    const index = originalParameters.findIndex((candidate) =>
      sameParameter(candidate, convertedParameter, original),
    );
    if (index < 0) return undefined;
    return [...operationSegments, 'parameters', String(index), ...parameterRest(deeper)];
  }
  return segments;
}

/**
 * 2.0 describes a request body by a `body` parameter (its `schema` is the body's) or by `formData`
 * parameters (each one a property of the converted body's schema).
 */
function requestBodySegments(
  operationSegments: Segments,
  afterBody: Segments,
  original: RawDocument,
): Segments | undefined {
  const parameters = [
    ...asArray(readAt(original, [...operationSegments, 'parameters'])).map((parameter, index) => ({
      parameter,
      at: [...operationSegments, 'parameters', String(index)],
    })),
    ...asArray(readAt(original, [...operationSegments.slice(0, 2), 'parameters'])).map(
      (parameter, index) => ({
        parameter,
        at: [...operationSegments.slice(0, 2), 'parameters', String(index)],
      }),
    ),
  ];
  const schemaPath = schemaOfContent(afterBody);
  const body = parameters.find(({ parameter }) => inOf(parameter, original) === 'body');
  if (body) return [...body.at, ...schemaPath];
  const [properties, name, ...deeper] = schemaPath.slice(1);
  if (schemaPath[0] === 'schema' && properties === 'properties' && name !== undefined) {
    const field = parameters.find(
      ({ parameter }) =>
        inOf(parameter, original) === 'formData' && nameOf(parameter, original) === name,
    );
    if (field) return [...field.at, ...deeper];
  }
  const form = parameters.find(({ parameter }) => inOf(parameter, original) === 'formData');
  return form ? [...operationSegments, 'parameters'] : undefined;
}

/** `content/<type>/schema/...` of 3.0 is `schema/...` in 2.0; `content/<type>` alone is the holder. */
function schemaOfContent(rest: Segments): Segments {
  if (rest[0] !== 'content') return rest;
  if (rest[2] === 'schema') return rest.slice(2);
  return [];
}

/** A 2.0 parameter other than the body carries its schema keywords itself (`type`, `items`). */
function parameterRest(rest: Segments): Segments {
  if (rest[0] === 'schema') return rest.slice(1);
  if (rest[0] === 'content') return schemaOfContent(rest);
  return rest;
}

/** The converted parameter may still be a `$ref`, or already dereferenced. */
function sameParameter(candidate: unknown, converted: unknown, original: RawDocument): boolean {
  if (!isObject(candidate) || !isObject(converted)) return false;
  if (typeof converted.$ref === 'string') {
    return candidate.$ref === converted.$ref.replace('#/components/parameters/', '#/parameters/');
  }
  const parameter = followed(candidate, original);
  return parameter?.name === converted.name && parameter?.in === converted.in;
}

function inOf(parameter: unknown, document: RawDocument): unknown {
  return followed(parameter, document)?.in;
}

function nameOf(parameter: unknown, document: RawDocument): unknown {
  return followed(parameter, document)?.name;
}

/** A parameter, or the one its local `$ref` names. */
function followed(value: unknown, document: RawDocument): { [key: string]: unknown } | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.$ref === 'string' && value.$ref.startsWith('#')) {
    const target = readAt(document, segmentsOf(value.$ref));
    return isObject(target) ? target : undefined;
  }
  return value;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function readAt(document: unknown, segments: Segments): unknown {
  let node: unknown = document;
  for (const segment of segments) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** Whether the place is in the document, through its local `$ref`s as a reader follows them. */
function exists(document: RawDocument, segments: Segments): boolean {
  let node: unknown = document;
  let hops = 0;
  for (let index = 0; index < segments.length;) {
    const segment = segments[index] as string;
    const here: unknown = Array.isArray(node)
      ? node[Number(segment)]
      : isObject(node)
        ? node[segment]
        : undefined;
    if (here !== undefined) {
      node = here;
      index += 1;
      continue;
    }
    if (isObject(node) && typeof node.$ref === 'string' && node.$ref.startsWith('#') && hops < 32) {
      node = readAt(document, segmentsOf(node.$ref));
      hops += 1;
      continue;
    }
    return false;
  }
  return true;
}
