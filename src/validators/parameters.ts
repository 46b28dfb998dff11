import { appendPointer } from '../spec/json-pointer.js';
import type { Parameter, SchemaNode } from '../spec/openapi.js';
import type { ValidateFunction } from './ajv.js';
import { failuresFromParameterAjv, type Failure } from './failure.js';
import {
  claimsOf,
  isQueryReader,
  readerFor,
  RequestSources,
  SentEmpty,
  type ParameterLocation,
  type ParameterReader,
  type QueryReader,
  type RawParameters,
} from './parameter-readers.js';
import { MalformedParameter } from './parameter-styles.js';
import { unencodedReserved } from './reserved-characters.js';
import type { SchemaCompiler } from './schema-compiler.js';

export type { ParameterLocation, RawParameters } from './parameter-readers.js';
const LOCATIONS: readonly ParameterLocation[] = ['path', 'query', 'header', 'cookie'];

/** The parameters of a request, parsed from the wire and coerced to their schemas' types. */
export type ParameterValues = Record<ParameterLocation, Record<string, unknown>>;

/**
 * One location's parameters, chosen at startup: a reader per parameter for its style, one
 * validator for them all.
 */
interface LocationPlan {
  readers: ParameterReader[];
  validate: ValidateFunction;
  schemaPointers: Map<string, string>;
  /** Query only: the readers whose values must not carry unencoded reserved characters. */
  reservedChecks?: QueryReader[];
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
    const ofLocation = declared
      .filter(
        ({ parameter }) =>
          parameter.in === location &&
          !(location === 'header' && IGNORED_HEADERS.has(parameter.name.toLowerCase())),
      )
      .map(({ parameter, pointer }) => ({ parameter, ...schemaOf(parameter, pointer) }));
    if (ofLocation.length === 0) continue;
    const schemas = ofLocation.map(({ parameter, schema, schemaPointer }) => ({
      name: keyOf(location, parameter.name),
      schema,
      required: parameter.required === true,
      pointer: schemaPointer,
    }));
    const validate = compiler.parameters(schemas, appendPointer(operationPointer, 'parameters'));
    if (!validate) continue;
    const readers = ofLocation.map(({ parameter, schema }) =>
      readerFor(
        location,
        parameter,
        schema,
        claimsOf(ofLocation.filter((other) => other.parameter !== parameter)),
      ),
    );
    const locationPlan: LocationPlan = {
      readers,
      validate,
      schemaPointers: new Map(schemas.map((schema) => [schema.name, schema.pointer])),
    };
    const queryReaders = readers.filter(isQueryReader);
    if (queryReaders.some((reader) => !reader.allowReserved)) {
      locationPlan.reservedChecks = queryReaders;
    }
    plan[location] = locationPlan;
  }
  return plan;
}

export function checkParameters(plan: ParametersPlan, raw: RawParameters): ParametersOutcome {
  const values: ParameterValues = { path: {}, query: {}, header: {}, cookie: {} };
  const failures: Failure[] = [];
  let sources: RequestSources | undefined;
  for (const location of LOCATIONS) {
    const locationPlan = plan[location];
    if (!locationPlan) continue;
    sources ??= new RequestSources(raw);
    const target = values[location];
    // Parameters sent but not checked against their schemas (so not "missing" either): those
    // sent empty that allow it, with the value they keep, and those already refused as malformed.
    let unchecked: Map<string, unknown> | undefined;
    for (const reader of locationPlan.readers) {
      try {
        const value = reader.read(sources);
        if (value instanceof SentEmpty) (unchecked ??= new Map()).set(reader.name, value.value);
        else if (value !== undefined) target[reader.name] = value;
      } catch (error) {
        if (!(error instanceof MalformedParameter)) throw error;
        (unchecked ??= new Map()).set(reader.name, undefined);
        failures.push({
          in: location,
          name: reader.name,
          pointer: '',
          keyword: error.keyword,
          message: error.message,
        });
      }
    }
    if (locationPlan.reservedChecks && raw.rawQuery) {
      failures.push(...unencodedReserved(raw.rawQuery, locationPlan.reservedChecks));
    }
    if (!locationPlan.validate(target)) {
      const found = failuresFromParameterAjv(
        locationPlan.validate.errors,
        location,
        locationPlan.schemaPointers,
      );
      failures.push(
        ...(unchecked
          ? found.filter(
              (failure) => !(failure.keyword === 'required' && unchecked.has(failure.name ?? '')),
            )
          : found),
      );
    }
    for (const [name, value] of unchecked ?? []) if (value !== undefined) target[name] = value;
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
