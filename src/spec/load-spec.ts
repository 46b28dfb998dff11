import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { ErrorObject } from 'ajv';
import type { OpenAPI } from 'openapi-types';
import { basePathOf } from './base-path.js';
import { openApiSchemaErrors, schemaVersionOf, type SchemaVersion } from './openapi-schema.js';
import { vendorNameOf } from './discover-specs.js';
import { checkSpec } from './check-spec.js';
import { repairDocument, triageSchemaErrors, telling, type RawDocument } from './lenient.js';
import { STRICT, type LoadingPolicy } from './loading-policy.js';
import { isObject, type Document, type OpenApiVersion } from './openapi.js';
import {
  describeWarning,
  LENIENT_HINT,
  locateProblems,
  registerConvertedFile,
  SpecError,
  type SpecProblem,
} from './spec-error.js';
import { convertSwagger2, placeInOriginal } from './swagger2.js';

/** One spec, parsed, validated against the OpenAPI schema, dereferenced and checked. */
export interface LoadedSpec {
  /** The file name without its extension: `thousandeyes.yaml` is served at `/thousandeyes`. */
  vendor: string;
  file: string;
  source: string;
  /** '3.0' for a Swagger 2.0 file too: it is served as the OpenAPI 3.0 document it converts to. */
  version: OpenApiVersion;
  /** '2.0' when the file is a Swagger 2.0 document, converted at load to OpenAPI 3.0. */
  convertedFrom?: '2.0';
  /** Dereferenced: every `$ref` replaced by its target (the same object wherever it is used). */
  document: Document;
  /** Path of the first server URL (`/v7`), or ''. */
  basePath: string;
  /** True when a schema refers to itself; the dereferenced document then has cycles. */
  circular: boolean;
  /** The document with its `$ref`s kept, for serving when `circular` makes JSON impossible. */
  bundled?: Document;
  /** What was served anyway (`lenient`), each placed in the file; empty when strict. */
  warnings: SpecProblem[];
}

const VENDOR_NAME = /^[a-z0-9][a-z0-9-]*$/;

const PARSER_OPTIONS: SwaggerParser.Options = {
  // A spec must never make standin reach the network: only local files may be referenced.
  resolve: { http: false },
};

/** Dereferences only: the schema is checked by spec/openapi-schema.ts, compiled once. */
const DEREFERENCE_OPTIONS: SwaggerParser.Options = {
  ...PARSER_OPTIONS,
  validate: { schema: false, spec: true },
};

/**
 * `name` overrides the name taken from the file (standin's own control plane is `__admin`).
 * `policy`: strict unless told otherwise (`--lenient`), and where the warnings go.
 */
export async function loadSpec(
  file: string,
  name?: string,
  policy: LoadingPolicy = STRICT,
): Promise<LoadedSpec> {
  try {
    const loaded = await load(file, name, policy.lenient);
    for (const warning of loaded.warnings) policy.warn?.(describeWarning(loaded.file, warning));
    return loaded;
  } catch (error) {
    if (!(error instanceof SpecError) || policy.lenient || error.hint !== undefined) throw error;
    // Only on the way out of a refused start: would leniency have served it? Then say so.
    const servable = await load(file, name, true).then(
      () => true,
      () => false,
    );
    throw servable ? error.withHint(LENIENT_HINT) : error;
  }
}

async function load(file: string, name: string | undefined, lenient: boolean): Promise<LoadedSpec> {
  const absolute = path.resolve(file);
  const vendor = name ?? vendorNameOf(absolute);
  if (name === undefined && !VENDOR_NAME.test(vendor)) {
    throw new SpecError(absolute, [
      {
        message: `the file name gives the vendor's URL prefix, so it must be lower-case letters, digits and dashes (got "${vendor}")`,
      },
    ]);
  }

  let source: string;
  try {
    source = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new SpecError(absolute, [{ message: `cannot read the file: ${messageOf(error)}` }]);
  }

  let raw: RawDocument;
  try {
    const parsed: unknown = await new SwaggerParser()
      .parse(absolute, PARSER_OPTIONS)
      .catch((error: unknown) => {
        if (lenient) return withoutPaths(source, error);
        throw error;
      });
    if (!isObject(parsed) || (typeof parsed.openapi !== 'string' && parsed.swagger !== '2.0')) {
      throw new SpecError(absolute, [
        { message: 'not an OpenAPI 3.0, 3.1 or Swagger 2.0 document' },
      ]);
    }
    raw = parsed;
  } catch (error) {
    if (error instanceof SpecError) throw error;
    throw SpecError.at(absolute, source, problemsFromParserError(error));
  }

  const schemaVersion = schemaVersionOf(raw as { openapi: string });
  const warnings: SpecProblem[] = [];
  const checkedAgainstSchema = (document: RawDocument, version: SchemaVersion): SpecProblem[] => {
    if (lenient) warnings.push(...repairDocument(document, version, vendor));
    let errors = openApiSchemaErrors(document as { openapi: string });
    if (errors.length > 0 && lenient) {
      const triage = triageSchemaErrors(document, version, errors);
      warnings.push(...triage.warnings);
      errors = triage.errors;
    }
    return problemsFromSchemaErrors(errors);
  };

  // Until the file is converted, places are the file's own (a stale entry of an earlier load of
  // the same path, converted then, must not apply).
  registerConvertedFile(absolute, source, undefined);
  const originalProblems = checkedAgainstSchema(raw, schemaVersion);
  if (originalProblems.length > 0) throw SpecError.at(absolute, source, originalProblems);

  let served: RawDocument = raw;
  // How a place of the served document is named in the file: itself, unless converted. Problems
  // thrown through SpecError.at are placed by it (see registerConvertedFile); warnings are not.
  let placeInFile = (problem: SpecProblem): SpecProblem => problem;
  if (schemaVersion === '2.0') {
    if (!lenient) await checkSwagger2Rules(absolute, source, raw);
    try {
      served = await convertSwagger2(raw, lenient);
    } catch (error) {
      throw new SpecError(absolute, [
        { message: `cannot be converted from Swagger 2.0 to OpenAPI 3: ${messageOf(error)}` },
      ]);
    }
    const converted = served;
    placeInFile = (problem) => placeInOriginal(problem, raw, converted);
    registerConvertedFile(absolute, source, placeInFile);
    const convertedWarnings = warnings.length;
    const convertedProblems = checkedAgainstSchema(served, '3.0');
    warnings.splice(
      convertedWarnings,
      Infinity,
      ...warnings.slice(convertedWarnings).map(placeInFile),
    );
    if (convertedProblems.length > 0) throw SpecError.at(absolute, source, convertedProblems);
  }

  // Bundling re-reads the file; a document repaired or converted here is bundled from a copy of
  // itself, taken before dereferencing replaces its `$ref`s.
  const beforeDereference =
    served !== raw || warnings.length > 0 ? structuredClone(served) : undefined;
  const parser = new SwaggerParser();
  let dereferenced: unknown;
  try {
    dereferenced = await parser.validate(absolute, asApi(served), DEREFERENCE_OPTIONS);
  } catch (error) {
    throw SpecError.at(absolute, source, problemsFromParserError(error));
  }
  const document = dereferenced as Document;
  const version: OpenApiVersion = document.openapi.startsWith('3.1') ? '3.1' : '3.0';

  const { problems, repairs } = checkSpec(document, lenient);
  warnings.push(...repairs.map(placeInFile));
  if (problems.length > 0) throw SpecError.at(absolute, source, problems);

  const circular = parser.$refs.circular;
  const loaded: LoadedSpec = {
    vendor,
    file: absolute,
    source,
    version,
    ...(schemaVersion === '2.0' ? { convertedFrom: '2.0' as const } : {}),
    document,
    basePath: basePathOf(document),
    circular,
    warnings: locateProblems(source, warnings),
  };
  if (circular) {
    loaded.bundled = (await (beforeDereference
      ? SwaggerParser.bundle(absolute, asApi(beforeDereference), PARSER_OPTIONS)
      : SwaggerParser.bundle(absolute, PARSER_OPTIONS))) as unknown as Document;
  }
  return loaded;
}

/**
 * The rules of Swagger 2.0 its schema cannot express (one body parameter, path parameters that
 * match the template...), as swagger-parser checks them, on the 2.0 document itself.
 */
async function checkSwagger2Rules(file: string, source: string, raw: RawDocument): Promise<void> {
  try {
    await new SwaggerParser().validate(file, asApi(structuredClone(raw)), DEREFERENCE_OPTIONS);
  } catch (error) {
    throw SpecError.at(file, source, problemsFromParserError(error).map(withSwagger2Place));
  }
}

/** swagger-parser names a 2.0 rule's place in its message: `/paths/pets/{id}/get has ...`. */
function withSwagger2Place(problem: SpecProblem): SpecProblem {
  if (problem.pointer !== undefined) return problem;
  const place = /\/paths(\/\S*?)\/(get|put|post|delete|options|head|patch)\b/.exec(problem.message);
  if (!place || place[1] === undefined || place[2] === undefined) return problem;
  return { ...problem, pointer: `#/paths/${escapePath(place[1])}/${place[2]}` };
}

/**
 * swagger-parser refuses an OpenAPI 3 document without `paths` before anything else is read;
 * leniently it is read anyway (and `repairDocument` warns that nothing is served).
 */
function withoutPaths(source: string, error: unknown): unknown {
  let document: unknown;
  try {
    document = parseYaml(source, { uniqueKeys: false });
  } catch {
    throw error;
  }
  const refused = messageOf(error).includes('is not a valid Openapi API definition');
  if (
    refused &&
    isObject(document) &&
    typeof document.openapi === 'string' &&
    !('paths' in document)
  ) {
    return document;
  }
  throw error;
}

/** swagger-parser's types want a whole document; this one has passed the schema check. */
function asApi(document: RawDocument): OpenAPI.Document {
  return document as unknown as OpenAPI.Document;
}

function escapePath(template: string): string {
  return template.replace(/~/g, '~0').replace(/\//g, '~1');
}

interface AjvLikeError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
}

function problemsFromParserError(error: unknown): SpecProblem[] {
  if (!isObject(error)) return [{ message: String(error) }];
  const details = error.details;
  if (Array.isArray(details) && details.length > 0) {
    return problemsFromSchemaErrors(details as AjvLikeError[]);
  }
  const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
  if (typeof error.parentPath === 'string' && error.parentPath.startsWith('#')) {
    // A $ref that points nowhere: name the place that holds the $ref.
    return [{ pointer: error.parentPath, message }];
  }
  const position = /\((\d+):(\d+)\)/.exec(message);
  if (position) {
    const firstLine = message.split('\n')[0] ?? message;
    return [{ line: Number(position[1]), column: Number(position[2]), message: firstLine }];
  }
  return [{ message }];
}

/**
 * The OpenAPI schema is a tree of `oneOf`s (a value or a `$ref`, one kind of parameter or another),
 * so one mistake yields a handful of errors. Keep the ones that say what is wrong, once each.
 */
function problemsFromSchemaErrors(errors: AjvLikeError[]): SpecProblem[] {
  const chosen = telling(errors as ErrorObject[]) as AjvLikeError[];
  const seen = new Set<string>();
  const problems: SpecProblem[] = [];
  for (const error of chosen) {
    const pointer = '#' + error.instancePath;
    const message = describeSchemaError(error);
    const key = `${pointer} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ pointer, message });
  }
  return problems;
}

function describeSchemaError(error: AjvLikeError): string {
  const base = error.message ?? error.keyword;
  if (error.params?.additionalProperty !== undefined) {
    return `${base}: "${error.params.additionalProperty}"`;
  }
  if (error.params?.allowedValues !== undefined) {
    return `${base}: ${error.params.allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
  }
  return base;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
