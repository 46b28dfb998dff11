import type { IncomingHttpHeaders } from 'node:http';
import { appendPointer } from '../spec/json-pointer.js';
import { isObject, type Parameter, type SchemaNode } from '../spec/openapi.js';
import type { ValidateFunction } from './ajv.js';
import { failuresFromParameterAjv, type Failure } from './failure.js';
import type { SchemaCompiler } from './schema-compiler.js';

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';
const LOCATIONS: readonly ParameterLocation[] = ['path', 'query', 'header', 'cookie'];

/** The parameters of a request, parsed from the wire and coerced to their schemas' types. */
export type ParameterValues = Record<ParameterLocation, Record<string, unknown>>;

export interface RawParameters {
  path: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  cookies: Readonly<Record<string, string | undefined>>;
}

interface ParameterReader {
  name: string;
  /** Reads the raw value, split into an array or parsed from JSON where the parameter says so. */
  read(raw: RawParameters): unknown;
}

interface LocationPlan {
  readers: ParameterReader[];
  validate: ValidateFunction;
  schemaPointers: Map<string, string>;
}

export type ParametersPlan = Partial<Record<ParameterLocation, LocationPlan>>;

export type ParametersOutcome =
  { ok: true; values: ParameterValues } | { ok: false; failures: Failure[] };

/** "If in is header and the name is Accept, Content-Type or Authorization, the parameter SHALL be ignored." (OpenAPI) */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

export interface DeclaredParameter {
  parameter: Parameter;
  pointer: string;
}

export function compileParameters(
  declared: readonly DeclaredParameter[],
  compiler: SchemaCompiler,
  operationPointer: string,
): ParametersPlan {
  const plan: ParametersPlan = {};
  for (const location of LOCATIONS) {
    const ofLocation = declared.filter(
      ({ parameter }) =>
        parameter.in === location &&
        !(location === 'header' && IGNORED_HEADERS.has(parameter.name.toLowerCase())),
    );
    if (ofLocation.length === 0) continue;
    const schemas = ofLocation.map(({ parameter, pointer }) => {
      const { schema, schemaPointer } = schemaOf(parameter, pointer);
      return {
        name: keyOf(location, parameter.name),
        schema,
        required: parameter.required === true,
        pointer: schemaPointer,
      };
    });
    const validate = compiler.parameters(schemas, appendPointer(operationPointer, 'parameters'));
    if (!validate) continue;
    plan[location] = {
      readers: ofLocation.map(({ parameter, pointer }) =>
        readerFor(location, parameter, schemaOf(parameter, pointer).schema),
      ),
      validate,
      schemaPointers: new Map(schemas.map((schema) => [schema.name, schema.pointer])),
    };
  }
  return plan;
}

export function checkParameters(plan: ParametersPlan, raw: RawParameters): ParametersOutcome {
  const values: ParameterValues = { path: {}, query: {}, header: {}, cookie: {} };
  const failures: Failure[] = [];
  for (const location of LOCATIONS) {
    const locationPlan = plan[location];
    if (!locationPlan) continue;
    const target = values[location];
    for (const reader of locationPlan.readers) {
      try {
        const value = reader.read(raw);
        if (value !== undefined) target[reader.name] = value;
      } catch (error) {
        failures.push({
          in: location,
          name: reader.name,
          pointer: '',
          message: (error as Error).message,
        });
      }
    }
    if (!locationPlan.validate(target)) {
      failures.push(
        ...failuresFromParameterAjv(
          locationPlan.validate.errors,
          location,
          locationPlan.schemaPointers,
        ),
      );
    }
  }
  return failures.length > 0 ? { ok: false, failures } : { ok: true, values };
}

/** Header names are case-insensitive, so they are keyed lower-case, as Node gives them. */
function keyOf(location: ParameterLocation, name: string): string {
  return location === 'header' ? name.toLowerCase() : name;
}

function schemaOf(
  parameter: Parameter,
  pointer: string,
): { schema: SchemaNode; schemaPointer: string } {
  if (parameter.schema)
    return {
      schema: parameter.schema as SchemaNode,
      schemaPointer: appendPointer(pointer, 'schema'),
    };
  // A parameter may instead carry its value as a media type (`content: {application/json: ...}`).
  const [mediaType, media] = Object.entries(parameter.content ?? {})[0] ?? [];
  if (mediaType && media?.schema) {
    return {
      schema: media.schema as SchemaNode,
      schemaPointer: appendPointer(pointer, 'content', mediaType, 'schema'),
    };
  }
  return { schema: {}, schemaPointer: pointer };
}

function typesOf(schema: SchemaNode): string[] {
  if (!isObject(schema)) return [];
  const { type } = schema;
  return Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : [];
}

function readerFor(
  location: ParameterLocation,
  parameter: Parameter,
  schema: SchemaNode,
): ParameterReader {
  const name = keyOf(location, parameter.name);
  const isArray = typesOf(schema).includes('array');
  const isJson =
    parameter.schema === undefined &&
    Object.keys(parameter.content ?? {}).some((key) => key.includes('json'));
  const style =
    parameter.style ?? (location === 'query' || location === 'cookie' ? 'form' : 'simple');
  const explode = parameter.explode ?? style === 'form';
  const delimiter = style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ',';

  const finish = (value: string | undefined): unknown => {
    if (value === undefined) return undefined;
    if (isJson) {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        throw new Error('is not valid JSON');
      }
    }
    return isArray ? value.split(delimiter) : value;
  };

  switch (location) {
    case 'path':
      return { name, read: (raw) => finish(raw.path[parameter.name]) };
    case 'header':
      return {
        name,
        read: (raw) => {
          const value = raw.headers[name];
          const text = Array.isArray(value) ? value.join(',') : value;
          return isArray && text !== undefined && !isJson
            ? text.split(',').map((item) => item.trim())
            : finish(text);
        },
      };
    case 'cookie':
      return { name, read: (raw) => finish(raw.cookies[parameter.name]) };
    case 'query':
      if (style === 'deepObject') {
        return { name, read: (raw) => deepObject(raw.query, parameter.name) };
      }
      if (isArray && explode && !isJson) {
        return {
          name,
          read: (raw) => {
            const all = raw.query.getAll(parameter.name);
            return all.length > 0 ? all : undefined;
          },
        };
      }
      return { name, read: (raw) => finish(raw.query.get(parameter.name) ?? undefined) };
  }
}

/** `?filter[status]=open&filter[owner]=me` → `{status: 'open', owner: 'me'}`. */
function deepObject(query: URLSearchParams, name: string): Record<string, string> | undefined {
  const prefix = `${name}[`;
  const entries: Array<[string, string]> = [];
  for (const [key, value] of query) {
    if (key.startsWith(prefix) && key.endsWith(']'))
      entries.push([key.slice(prefix.length, -1), value]);
  }
  // fromEntries defines own properties, so a client's `filter[__proto__]` cannot reach a prototype.
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
