import { isObject, type OpenApiVersion, type SchemaNode } from '../spec/openapi.js';

/** Which way a value travels: a request body is checked against `readOnly`, a response against `writeOnly`. */
export type Direction = 'request' | 'response';

export interface ConversionOptions {
  version: OpenApiVersion;
  direction: Direction;
  /**
   * How a property that must not travel this way (readOnly in a request, writeOnly in a response)
   * is written: `keyword` makes its presence an error (for validation); `omit` drops it (for
   * generating a sample, which must not contain it).
   */
  forbidden: 'keyword' | 'omit';
}

/** The ajv keyword that rejects a property that must not travel in this direction. */
export const FORBIDDEN_KEYWORD = 'standinForbidden';

const SCHEMA_KEYWORDS = [
  'items',
  'additionalItems',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contentSchema',
] as const;
const SCHEMA_ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
const SCHEMA_MAP_KEYWORDS = [
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
] as const;

/**
 * Annotations of OpenAPI (and identifiers) that would confuse a JSON Schema validator: `$id` and
 * `$schema` would clash when one component is compiled into many operations; `discriminator` is
 * an OpenAPI hint, the `oneOf` beside it already decides validity.
 */
const DROPPED_KEYWORDS = new Set([
  'example',
  'xml',
  'externalDocs',
  'discriminator',
  '$schema',
  '$id',
]);

/**
 * Rewrites an OpenAPI schema as a JSON Schema 2020-12 schema for one direction, so one ajv
 * (Ajv2020) validates both OpenAPI versions:
 * - 3.0 `nullable: true` becomes a `null` type (and a `null` in an `enum`); 3.0's boolean
 *   `exclusiveMinimum`/`exclusiveMaximum` become their numeric 2020-12 form.
 * - `readOnly` properties are forbidden in requests (and not required there), `writeOnly`
 *   properties in responses.
 * - The dereferenced document shares one object per component, and a self-referring component
 *   is a cycle of objects, which no validator can compile. A cycle is cut by moving the object to
 *   `$defs` and referring to it with `$ref`.
 */
export function toJsonSchema(schema: SchemaNode, options: ConversionOptions): SchemaNode {
  const converter = new Converter(options);
  const converted = converter.convert(schema);
  if (converter.definitions.size === 0) return converted;
  const $defs = Object.fromEntries(converter.definitions);
  if (typeof converted === 'boolean') return converted;
  return {
    ...converted,
    $defs: { ...(isObject(converted.$defs) ? converted.$defs : {}), ...$defs },
  };
}

class Converter {
  readonly definitions = new Map<string, SchemaNode>();
  private readonly done = new Map<object, SchemaNode>();
  private readonly inProgress = new Map<object, { name?: string }>();
  private cycles = 0;

  constructor(private readonly options: ConversionOptions) {}

  convert(node: SchemaNode): SchemaNode {
    if (typeof node === 'boolean') return node;
    if (!isObject(node)) return node;
    const finished = this.done.get(node);
    if (finished !== undefined) return finished;
    const visiting = this.inProgress.get(node);
    if (visiting !== undefined) {
      visiting.name ??= `cycle${(this.cycles += 1)}`;
      return { $ref: `#/$defs/${visiting.name}` };
    }

    const state: { name?: string } = {};
    this.inProgress.set(node, state);
    let converted = this.convertObject(node);
    this.inProgress.delete(node);
    if (state.name !== undefined) {
      this.definitions.set(state.name, converted);
      converted = { $ref: `#/$defs/${state.name}` };
    }
    this.done.set(node, converted);
    return converted;
  }

  private convertObject(node: { [keyword: string]: unknown }): SchemaNode {
    const out: { [keyword: string]: unknown } = {};
    for (const [keyword, value] of Object.entries(node)) {
      if (DROPPED_KEYWORDS.has(keyword) || keyword.startsWith('x-')) continue;
      if (keyword === 'nullable' && this.options.version === '3.0') continue;
      if (keyword === 'properties' && isObject(value)) {
        this.convertProperties(value, node, out);
      } else if ((SCHEMA_KEYWORDS as readonly string[]).includes(keyword) && isSchema(value)) {
        out[keyword] = this.convert(value);
      } else if (
        (SCHEMA_ARRAY_KEYWORDS as readonly string[]).includes(keyword) &&
        Array.isArray(value)
      ) {
        out[keyword] = value.map((item: SchemaNode) => this.convert(item));
      } else if ((SCHEMA_MAP_KEYWORDS as readonly string[]).includes(keyword) && isObject(value)) {
        out[keyword] = Object.fromEntries(
          Object.entries(value).map(([name, item]) => [name, this.convert(item as SchemaNode)]),
        );
      } else if (keyword !== 'properties') {
        out[keyword] = value;
      }
    }
    if (this.options.version === '3.0') {
      convertExclusiveBounds(out);
      if (node.nullable === true) return allowNull(out);
    }
    return out;
  }

  private convertProperties(
    properties: { [name: string]: unknown },
    parent: { [keyword: string]: unknown },
    out: { [keyword: string]: unknown },
  ): void {
    const forbiddenMark = this.options.direction === 'request' ? 'readOnly' : 'writeOnly';
    const convertedProperties: { [name: string]: SchemaNode } = {};
    const forbidden: string[] = [];
    for (const [name, property] of Object.entries(properties)) {
      if (isObject(property) && property[forbiddenMark] === true) {
        forbidden.push(name);
        if (this.options.forbidden === 'keyword')
          convertedProperties[name] = { [FORBIDDEN_KEYWORD]: forbiddenMark };
      } else {
        convertedProperties[name] = this.convert(property as SchemaNode);
      }
    }
    out.properties = convertedProperties;
    if (forbidden.length > 0 && Array.isArray(parent.required)) {
      out.required = parent.required.filter((name) => !forbidden.includes(name as string));
    }
  }
}

function isSchema(value: unknown): value is SchemaNode {
  return typeof value === 'boolean' || isObject(value);
}

/** Draft 4 (OpenAPI 3.0) writes `minimum: 5, exclusiveMinimum: true`; 2020-12 writes `exclusiveMinimum: 5`. */
function convertExclusiveBounds(schema: { [keyword: string]: unknown }): void {
  const { exclusiveMinimum, exclusiveMaximum, minimum, maximum } = schema;
  if (typeof exclusiveMinimum === 'boolean') {
    delete schema.exclusiveMinimum;
    if (exclusiveMinimum && typeof minimum === 'number') {
      schema.exclusiveMinimum = minimum;
      delete schema.minimum;
    }
  }
  if (typeof exclusiveMaximum === 'boolean') {
    delete schema.exclusiveMaximum;
    if (exclusiveMaximum && typeof maximum === 'number') {
      schema.exclusiveMaximum = maximum;
      delete schema.maximum;
    }
  }
}

/** OpenAPI 3.0 `nullable: true`: `null` is also a valid value. */
function allowNull(schema: { [keyword: string]: unknown }): SchemaNode {
  const { type } = schema;
  if (typeof type === 'string' || Array.isArray(type)) {
    const types: unknown[] = Array.isArray(type) ? type : [type];
    const widened: { [keyword: string]: unknown } = {
      ...schema,
      type: types.includes('null') ? types : [...types, 'null'],
    };
    const values: unknown = schema.enum;
    if (Array.isArray(values) && !values.includes(null))
      widened.enum = [...(values as unknown[]), null];
    return widened;
  }
  // No `type` (e.g. `nullable` beside an `allOf`): the schema as written, or null.
  return { anyOf: [schema, { type: 'null' }] };
}
