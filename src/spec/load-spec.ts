import { readFile } from 'node:fs/promises';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { basePathOf } from './base-path.js';
import { openApiSchemaErrors } from './openapi-schema.js';
import { vendorNameOf } from './discover-specs.js';
import { checkSpec } from './check-spec.js';
import { isObject, type Document, type OpenApiVersion } from './openapi.js';
import { SpecError, type SpecProblem } from './spec-error.js';

/** One spec, parsed, validated against the OpenAPI schema, dereferenced and checked. */
export interface LoadedSpec {
  /** The file name without its extension: `thousandeyes.yaml` is served at `/thousandeyes`. */
  vendor: string;
  file: string;
  source: string;
  version: OpenApiVersion;
  /** Dereferenced: every `$ref` replaced by its target (the same object wherever it is used). */
  document: Document;
  /** Path of the first server URL (`/v7`), or ''. */
  basePath: string;
  /** True when a schema refers to itself; the dereferenced document then has cycles. */
  circular: boolean;
  /** The document with its `$ref`s kept, for serving when `circular` makes JSON impossible. */
  bundled?: Document;
}

const VENDOR_NAME = /^[a-z0-9][a-z0-9-]*$/;

const PARSER_OPTIONS: SwaggerParser.Options = {
  // A spec must never make standin reach the network: only local files may be referenced.
  resolve: { http: false },
};

/** `name` overrides the name taken from the file (standin's own control plane is `__admin`). */
export async function loadSpec(file: string, name?: string): Promise<LoadedSpec> {
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

  const parser = new SwaggerParser();
  let parsed: unknown;
  try {
    // The OpenAPI schema is checked here, by validators compiled once (spec/openapi-schema.ts);
    // swagger-parser would compile the whole OpenAPI schema again for every document.
    const raw: unknown = await parser.parse(absolute, PARSER_OPTIONS);
    if (isObject(raw) && typeof raw.openapi === 'string') {
      const errors = openApiSchemaErrors(raw as { openapi: string });
      if (errors.length > 0) throw SpecError.at(absolute, source, problemsFromSchemaErrors(errors));
    }
    parsed = await parser.validate(absolute, {
      ...PARSER_OPTIONS,
      validate: { schema: false, spec: true },
    });
  } catch (error) {
    if (error instanceof SpecError) throw error;
    throw SpecError.at(absolute, source, problemsFromParserError(error));
  }
  if (!isObject(parsed) || typeof parsed.openapi !== 'string') {
    throw new SpecError(absolute, [
      {
        message:
          'only OpenAPI 3.0 and 3.1 documents are served (Swagger 2.0 must be converted first)',
      },
    ]);
  }
  const document = parsed as unknown as Document;
  const version: OpenApiVersion = document.openapi.startsWith('3.1') ? '3.1' : '3.0';

  const problems = checkSpec(document);
  if (problems.length > 0) throw SpecError.at(absolute, source, problems);

  const circular = parser.$refs.circular;
  const loaded: LoadedSpec = {
    vendor,
    file: absolute,
    source,
    version,
    document,
    basePath: basePathOf(document),
    circular,
  };
  if (circular)
    loaded.bundled = (await SwaggerParser.bundle(absolute, PARSER_OPTIONS)) as unknown as Document;
  return loaded;
}

interface AjvLikeError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
}

/** The keywords that only say "one of the alternatives failed"; their alternatives say why. */
const SUMMARY_KEYWORDS = new Set(['oneOf', 'anyOf', 'if', 'then', 'else', '$ref', 'not']);

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
  const telling = errors.filter(
    (error) => !SUMMARY_KEYWORDS.has(error.keyword) && error.params?.missingProperty !== '$ref',
  );
  const chosen = telling.length > 0 ? telling : errors;
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
