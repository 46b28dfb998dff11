import { isObject, type SchemaNode } from '../spec/openapi.js';

/**
 * What the readers and writers of non-JSON bodies (XML, forms, multipart, text) need to know of a
 * schema: its types, its properties and its items. The document is dereferenced, so a schema is a
 * plain object; `allOf` branches are merged, since a body's shape is usually built that way
 * (`allOf: [Pet, {properties: ...}]`). The first `oneOf`/`anyOf` branch that has a shape stands
 * for the others: it is only a reading hint, the validator still decides.
 */
export type SchemaObject = Record<string, unknown>;

/** The OpenAPI `xml` object of a schema. */
export interface XmlHints {
  name?: string;
  namespace?: string;
  prefix?: string;
  attribute?: boolean;
  wrapped?: boolean;
}

export function schemaObject(schema: unknown): SchemaObject {
  return isObject(schema) ? schema : {};
}

export function typesOf(schema: unknown): Set<string> {
  const types = new Set<string>();
  collect(schema, new Set(), (node) => {
    const { type } = node;
    if (typeof type === 'string') types.add(type);
    else if (Array.isArray(type))
      for (const entry of type) if (typeof entry === 'string') types.add(entry);
    if (type === undefined && isObject(node.properties)) types.add('object');
    if (type === undefined && node.items !== undefined) types.add('array');
  });
  return types;
}

/** The declared properties, `allOf` (and first `oneOf`/`anyOf` branch) merged. */
export function propertiesOf(schema: unknown): Map<string, SchemaNode> {
  const properties = new Map<string, SchemaNode>();
  collect(schema, new Set(), (node) => {
    if (!isObject(node.properties)) return;
    for (const [name, property] of Object.entries(node.properties)) {
      if (!properties.has(name)) properties.set(name, property as SchemaNode);
    }
  });
  return properties;
}

/** The schema of an array's items (`{}` when none is given). */
export function itemsOf(schema: unknown): SchemaNode {
  let items: SchemaNode | undefined;
  collect(schema, new Set(), (node) => {
    if (items === undefined && (isObject(node.items) || typeof node.items === 'boolean'))
      items = node.items;
  });
  return items ?? {};
}

export function xmlOf(schema: unknown): XmlHints {
  let hints: XmlHints | undefined;
  collect(schema, new Set(), (node) => {
    if (hints === undefined && isObject(node.xml)) hints = node.xml;
  });
  return hints ?? {};
}

export function titleOf(schema: unknown): string | undefined {
  const { title } = schemaObject(schema);
  return typeof title === 'string' && title !== '' ? title : undefined;
}

/** `maxLength`/`minLength` of a string schema, which for a binary body count bytes. */
export function lengthLimitsOf(schema: unknown): { min?: number; max?: number } {
  const node = schemaObject(schema);
  const limits: { min?: number; max?: number } = {};
  if (typeof node.maxLength === 'number') limits.max = node.maxLength;
  if (typeof node.minLength === 'number') limits.min = node.minLength;
  return limits;
}

/** Does the schema describe an array (and nothing a single value could be)? */
export function isArraySchema(schema: unknown): boolean {
  const types = typesOf(schema);
  return types.has('array') && !types.has('object') && !types.has('string');
}

/**
 * A text as the schema's scalar type, where it reads as one: `"12"` for an integer is 12,
 * `"true"` for a boolean is true. A text that does not read as the type stays a string, so the
 * validator reports the type it expected.
 */
export function coerceScalar(text: string, schema: unknown): unknown {
  const types = typesOf(schema);
  if (types.size === 0 || types.has('string')) return text;
  if (
    (types.has('integer') || types.has('number')) &&
    /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text.trim())
  )
    return Number(text.trim());
  if (types.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.has('null') && text === '') return null;
  return text;
}

/** Visits a schema and its `allOf` branches, then the first `oneOf`/`anyOf` branch, once each. */
function collect(schema: unknown, seen: Set<object>, visit: (node: SchemaObject) => void): void {
  if (!isObject(schema) || seen.has(schema)) return;
  seen.add(schema);
  visit(schema);
  if (Array.isArray(schema.allOf)) for (const branch of schema.allOf) collect(branch, seen, visit);
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const branches = schema[keyword];
    if (Array.isArray(branches) && branches.length > 0) collect(branches[0], seen, visit);
  }
}
