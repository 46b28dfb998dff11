import type { ErrorObject } from 'ajv';
import { appendPointer, pointerFrom, segmentsOf } from './json-pointer.js';
import { HTTP_METHODS, isObject } from './openapi.js';
import { isSchemaObjectError, openApiSchemaErrors, type SchemaVersion } from './openapi-schema.js';
import type { SpecProblem } from './spec-error.js';

/**
 * `--lenient`: the imperfections users' documents commonly have, that do not keep a document from
 * being served, are repaired in place and reported as warnings instead of stopping the start.
 * Whatever is repaired here is repaired the way a reader of the document would expect (a parameter
 * without a schema takes any string, a missing description is empty).
 */
type Json = { [key: string]: unknown };

/** The document parsed from the file, not yet dereferenced: `$ref`s are still there. */
export interface RawDocument {
  [key: string]: unknown;
}

/**
 * Repairs, in `document` itself, what the OpenAPI (or Swagger 2.0) schema would refuse although
 * the meaning is plain, and answers one warning per repair. `title` is the name a document without
 * `info.title` is served under.
 */
export function repairDocument(
  document: RawDocument,
  version: SchemaVersion,
  title: string,
): SpecProblem[] {
  const warnings: SpecProblem[] = [];
  repairInfo(document, title, warnings);
  if (document.paths === undefined && document.webhooks === undefined) {
    document.paths = {};
    warnings.push({ pointer: '#', message: 'the document has no paths: no operation is served' });
  }
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [template, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    const itemPointer = appendPointer('#/paths', template);
    repairParameters(item.parameters, appendPointer(itemPointer, 'parameters'), version, warnings);
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const pointer = appendPointer(itemPointer, method);
      repairParameters(
        operation.parameters,
        appendPointer(pointer, 'parameters'),
        version,
        warnings,
      );
      if (isObject(operation.requestBody)) {
        repairContent(operation.requestBody, appendPointer(pointer, 'requestBody'), warnings);
      }
      if (isObject(operation.responses)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          repairResponse(response, appendPointer(pointer, 'responses', status), warnings);
        }
      }
    }
  }
  if (version === '3.1') repairThreeZeroSchemas(document, '#', warnings);
  if (version === '2.0') {
    forEachEntry(document.responses, '#/responses', (response, pointer) =>
      repairResponse(response, pointer, warnings),
    );
    forEachEntry(document.parameters, '#/parameters', (parameter, pointer) =>
      repairParameter(parameter, pointer, version, warnings),
    );
  } else if (isObject(document.components)) {
    const components = document.components;
    forEachEntry(components.responses, '#/components/responses', (response, pointer) =>
      repairResponse(response, pointer, warnings),
    );
    forEachEntry(components.parameters, '#/components/parameters', (parameter, pointer) =>
      repairParameter(parameter, pointer, version, warnings),
    );
    forEachEntry(components.requestBodies, '#/components/requestBodies', (body, pointer) => {
      if (isObject(body)) repairContent(body, pointer, warnings);
    });
  }
  return warnings;
}

function repairInfo(document: RawDocument, title: string, warnings: SpecProblem[]): void {
  if (!isObject(document.info)) {
    document.info = { title, version: '0' };
    warnings.push({
      pointer: '#/info',
      message: `the document has no info: served with title "${title}" and version "0"`,
    });
    return;
  }
  const info = document.info;
  if (typeof info.title !== 'string') {
    info.title = title;
    warnings.push({
      pointer: '#/info/title',
      message: `info has no title: served with title "${title}"`,
    });
  }
  if (typeof info.version !== 'string') {
    // A number (`version: 1`) is the usual slip: its text is what was meant.
    const written = typeof info.version === 'number' ? String(info.version) : '0';
    info.version = written;
    warnings.push({
      pointer: '#/info/version',
      message: `info has no version as text: served with version "${written}"`,
    });
  }
}

function repairResponse(response: unknown, pointer: string, warnings: SpecProblem[]): void {
  if (!isObject(response) || typeof response.$ref === 'string') return;
  if (typeof response.description !== 'string') {
    response.description = '';
    warnings.push({
      pointer,
      message: 'the response has no description: served with an empty one',
    });
  }
  repairContent(response, pointer, warnings);
}

function repairParameters(
  parameters: unknown,
  pointer: string,
  version: SchemaVersion,
  warnings: SpecProblem[],
): void {
  if (!Array.isArray(parameters)) return;
  parameters.forEach((parameter, index) =>
    repairParameter(parameter, appendPointer(pointer, index), version, warnings),
  );
}

function repairParameter(
  parameter: unknown,
  pointer: string,
  version: SchemaVersion,
  warnings: SpecProblem[],
): void {
  if (!isObject(parameter) || typeof parameter.$ref === 'string') return;
  if (version === '2.0') {
    // 2.0 describes every parameter but the body by `type` on the parameter itself.
    if (parameter.in !== 'body' && parameter.type === undefined) {
      parameter.type = 'string';
      warnings.push({
        pointer,
        message: 'the parameter has no type: any string is accepted',
      });
    }
    return;
  }
  if (parameter.schema === undefined && parameter.content === undefined) {
    parameter.schema = { type: 'string' };
    warnings.push({
      pointer,
      message: 'the parameter has no schema (nor content): any string is accepted',
    });
  }
  repairExamples(parameter, pointer, warnings);
  repairContent(parameter, pointer, warnings);
}

/** A `content` map (of a request body, a response or a parameter) and each of its media types. */
function repairContent(holder: Json, pointer: string, warnings: SpecProblem[]): void {
  if (!isObject(holder.content)) return;
  const content = holder.content;
  const contentPointer = appendPointer(pointer, 'content');
  for (const [mediaType, value] of Object.entries(content)) {
    const mediaPointer = appendPointer(contentPointer, mediaType);
    if (!isObject(value)) {
      // `content: { description: '...' }`: a description written one level too deep.
      Reflect.deleteProperty(content, mediaType);
      warnings.push({
        pointer: mediaPointer,
        message: `"${mediaType}" is not a media type object (it holds ${typeof value}): ignored`,
      });
      continue;
    }
    repairExamples(value, mediaPointer, warnings);
  }
}

function repairExamples(holder: Json, pointer: string, warnings: SpecProblem[]): void {
  if (holder.example !== undefined && holder.examples !== undefined) {
    delete holder.example;
    warnings.push({
      pointer: appendPointer(pointer, 'example'),
      message: '"example" and "examples" are given together: only "examples" is used',
    });
  }
}

/** Values that are data, not parts of the document: nothing in them is a schema. */
const DATA_KEYWORDS = new Set(['example', 'examples', 'default', 'enum', 'const', 'value']);

/**
 * A 3.1 document that still writes schemas the 3.0 way: `nullable: true` (which 2020-12 ignores)
 * and boolean `exclusiveMinimum`/`exclusiveMaximum` (which 2020-12 refuses). Only Schema Objects
 * have these fields, so any object carrying them is one. They are rewritten in the 3.1 form.
 */
function repairThreeZeroSchemas(node: unknown, pointer: string, warnings: SpecProblem[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) =>
      repairThreeZeroSchemas(item, appendPointer(pointer, index), warnings),
    );
    return;
  }
  if (!isObject(node)) return;
  if (typeof node.nullable === 'boolean') {
    const nullable = node.nullable;
    delete node.nullable;
    if (nullable) allowNull(node);
    warnings.push({
      pointer: appendPointer(pointer, 'nullable'),
      message: `"nullable" is OpenAPI 3.0 schema syntax: read as 3.0 reads it${nullable ? ' (null is also valid)' : ''}`,
    });
  }
  for (const [bound, limit] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    const exclusive = node[bound];
    if (typeof exclusive !== 'boolean') continue;
    Reflect.deleteProperty(node, bound);
    if (exclusive && typeof node[limit] === 'number') {
      node[bound] = node[limit];
      Reflect.deleteProperty(node, limit);
    }
    warnings.push({
      pointer: appendPointer(pointer, bound),
      message: `"${bound}: ${String(exclusive)}" is OpenAPI 3.0 schema syntax: read as 3.0 reads it`,
    });
  }
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || DATA_KEYWORDS.has(key)) continue;
    if (NAME_MAPS.has(key) && isObject(value)) {
      // Its keys are names (a property may be called `default`): each value is a schema.
      for (const [name, schema] of Object.entries(value)) {
        repairThreeZeroSchemas(schema, appendPointer(pointer, key, name), warnings);
      }
      continue;
    }
    repairThreeZeroSchemas(value, appendPointer(pointer, key), warnings);
  }
}

/** Maps whose keys are names chosen by the author, not keywords. */
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'schemas']);

/** 3.0's `nullable: true` in 3.1's words: `null` is one more type (and one more enum value). */
function allowNull(schema: Json): void {
  const { type } = schema;
  if (typeof type === 'string' || Array.isArray(type)) {
    const types: unknown[] = Array.isArray(type) ? type : [type];
    if (!types.includes('null')) schema.type = [...types, 'null'];
    if (Array.isArray(schema.enum) && !schema.enum.includes(null))
      schema.enum = [...(schema.enum as unknown[]), null];
    return;
  }
  // No type (beside an allOf, a $ref...): the schema as written, or null.
  const written = { ...schema };
  for (const key of Object.keys(schema)) Reflect.deleteProperty(schema, key);
  schema.anyOf = [written, { type: 'null' }];
}

function forEachEntry(
  map: unknown,
  pointer: string,
  visit: (value: unknown, pointer: string) => void,
): void {
  if (!isObject(map)) return;
  for (const [name, value] of Object.entries(map)) visit(value, appendPointer(pointer, name));
}

/** What a lenient load makes of the schema errors left after `repairDocument`. */
export interface SchemaTriage {
  warnings: SpecProblem[];
  /** The errors that still stop the start (still as ajv errors, to be described by the caller). */
  errors: ErrorObject[];
}

/**
 * Sorts the OpenAPI schema errors of `served` into what can be served anyway and what cannot.
 * - A keyword of a data schema that this version does not know (`const`, `type: [string, 'null']`
 *   in 3.0) is kept in `served`: the validators read schemas as JSON Schema 2020-12, where it has
 *   its meaning. Only the copy checked against the OpenAPI schema loses it.
 * - A field the OpenAPI schema does not define anywhere else (`descriptio`, a `description` in a
 *   media type) is ignored: removed from both.
 * Whatever is left is checked again; those errors stop the start.
 */
export function triageSchemaErrors(
  served: RawDocument,
  version: SchemaVersion,
  errors: ErrorObject[],
): SchemaTriage {
  const checked = structuredClone(served);
  const warnings: SpecProblem[] = [];
  const seen = new Set<string>();
  for (const error of telling(errors)) {
    const pointer = '#' + error.instancePath;
    const additional = additionalPropertyOf(error);
    const inSchemaObject = isSchemaObjectError(version, error);
    const key = additional !== undefined ? appendPointer(pointer, additional) : pointer;
    if (seen.has(key)) continue;
    const keyword = segmentsOf(key).at(-1) ?? '';
    const value = readAt(served, key);
    if (inSchemaObject && keyword === 'required' && typeof value === 'boolean') {
      // Swagger-style `required: true` on a property: no JSON Schema reads it so (required is a
      // list of the parent's), and the validators could not compile it.
      seen.add(key);
      removeAt(checked, key);
      removeAt(served, key);
      warnings.push({
        pointer: key,
        message: `"required: ${String(value)}" inside a schema is not JSON Schema (the parent lists its required properties): ignored`,
      });
    } else if (inSchemaObject) {
      seen.add(key);
      const keywordPointer = key;
      removeAt(checked, keywordPointer);
      warnings.push({
        pointer: keywordPointer,
        message: `${describeKeyword(keyword, value)} is not ${versionName(version)} schema syntax: kept, and validated as JSON Schema 2020-12 (OpenAPI 3.1) reads it`,
      });
    } else if (additional !== undefined) {
      seen.add(key);
      const fieldPointer = appendPointer(pointer, additional);
      removeAt(checked, fieldPointer);
      removeAt(served, fieldPointer);
      warnings.push({
        pointer: fieldPointer,
        message: `"${additional}" is not a field ${versionName(version)} defines here: ignored`,
      });
    }
  }
  if (warnings.length === 0) return { warnings, errors };
  return { warnings, errors: openApiSchemaErrors(checked as { openapi: string }) };
}

/** The keywords that only say "one of the alternatives failed"; their alternatives say why. */
const SUMMARY_KEYWORDS = new Set(['oneOf', 'anyOf', 'if', 'then', 'else', '$ref', 'not']);

/** The errors that say what is wrong (a `$ref`-or-value alternative yields a few that do not). */
export function telling(errors: ErrorObject[]): ErrorObject[] {
  const chosen = errors.filter(
    (error) =>
      !SUMMARY_KEYWORDS.has(error.keyword) &&
      (error.params as { missingProperty?: string }).missingProperty !== '$ref',
  );
  return chosen.length > 0 ? chosen : errors;
}

function additionalPropertyOf(error: ErrorObject): string | undefined {
  if (error.keyword !== 'additionalProperties') return undefined;
  const name = (error.params as { additionalProperty?: unknown }).additionalProperty;
  return typeof name === 'string' ? name : undefined;
}

function describeKeyword(keyword: string, value: unknown): string {
  if (keyword === 'type' && Array.isArray(value)) return '"type" as a list';
  return `"${keyword}"${typeof value === 'number' || typeof value === 'boolean' ? ` (${String(value)})` : ''}`;
}

function versionName(version: SchemaVersion): string {
  return version === '2.0' ? 'Swagger 2.0' : `OpenAPI ${version}`;
}

function readAt(document: unknown, pointer: string): unknown {
  let node: unknown = document;
  for (const segment of segmentsOf(pointer)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = node[segment];
    else return undefined;
  }
  return node;
}

function removeAt(document: unknown, pointer: string): void {
  const segments = segmentsOf(pointer);
  const last = segments.pop();
  if (last === undefined) return;
  const parent = readAt(document, pointerFrom(segments));
  if (isObject(parent)) Reflect.deleteProperty(parent, last);
}
