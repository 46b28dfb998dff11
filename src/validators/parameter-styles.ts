import { isObject, type SchemaNode } from '../spec/openapi.js';

/**
 * The serialisation styles of OpenAPI parameters (3.0/3.1 "Style Values" and "Style Examples"),
 * as pure functions from the text on the wire to a value of the parameter's shape. Values stay
 * strings here: ajv's parameter instance coerces them (and array items, object properties) to the
 * schema's types afterwards, as for any other parameter.
 */

/** What a parameter's schema says its value is, which decides how its text is split. */
export type Shape = 'primitive' | 'array' | 'object';

/** Text that cannot be read in the parameter's style: the caller reports it as a 400. */
export class MalformedParameter extends Error {
  /** The parameter field the text breaks, reported as the failure's keyword. */
  readonly keyword: string;

  constructor(message: string, keyword = 'style') {
    super(message);
    this.keyword = keyword;
  }
}

/** An object built from client input: own properties only, so `__proto__` stays a plain key. */
export type ParameterObject = Record<string, string | string[]>;

/**
 * The shape of a schema: `array` or `object` when its type (or a type of its allOf/anyOf/oneOf
 * members) says so, or when it has only array or object keywords; otherwise a primitive, which
 * is also what a parameter without a schema is (any string).
 */
export function shapeOf(schema: SchemaNode | undefined): Shape {
  const types = new Set<string>();
  const hints = new Set<Shape>();
  collectTypes(schema, types, hints, new Set());
  if (types.has('array')) return 'array';
  if (types.has('object')) return 'object';
  if (types.size > 0) return 'primitive';
  if (hints.has('array')) return 'array';
  if (hints.has('object')) return 'object';
  return 'primitive';
}

function collectTypes(
  schema: SchemaNode | undefined,
  types: Set<string>,
  hints: Set<Shape>,
  seen: Set<object>,
): void {
  // A dereferenced document may have cycles (a schema that refers to itself).
  if (!isObject(schema) || seen.has(schema)) return;
  seen.add(schema);
  const { type } = schema;
  if (typeof type === 'string') types.add(type);
  else if (Array.isArray(type))
    for (const each of type) if (typeof each === 'string') types.add(each);
  if ('items' in schema || 'prefixItems' in schema) hints.add('array');
  if ('properties' in schema || 'additionalProperties' in schema) hints.add('object');
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const members = schema[keyword];
    if (Array.isArray(members)) {
      for (const member of members) collectTypes(member as SchemaNode, types, hints, seen);
    }
  }
}

/** Splits on a delimiter; the empty text is the empty list (the "empty" column of the table). */
function split(text: string, delimiter: string): string[] {
  return text === '' ? [] : text.split(delimiter);
}

/** `R,100,G,200` split → `{R: '100', G: '200'}`: keys and values alternate (explode: false). */
export function objectFromAlternating(items: readonly string[]): ParameterObject {
  if (items.length % 2 !== 0) {
    throw new MalformedParameter(
      'is not an object: its keys and values must alternate (key,value,key,value)',
    );
  }
  const entries: Array<[string, string]> = [];
  for (let index = 0; index < items.length; index += 2) {
    entries.push([items[index] ?? '', items[index + 1] ?? '']);
  }
  // fromEntries defines own properties: a client's `__proto__` key cannot reach a prototype.
  return Object.fromEntries(entries);
}

/** `['R=100', 'G=200']` → `{R: '100', G: '200'}` (explode: true); `R` alone is `R: ''`. */
export function objectFromAssignments(items: readonly string[]): ParameterObject {
  return Object.fromEntries(
    items.map((item): [string, string] => {
      const equals = item.indexOf('=');
      return equals < 0 ? [item, ''] : [item.slice(0, equals), item.slice(equals + 1)];
    }),
  );
}

/**
 * One delimited text: a primitive as is, an array split on the delimiter, an object from
 * alternating keys and values. This is form (explode: false, `,`), spaceDelimited (` `),
 * pipeDelimited (`|`) and the non-exploded simple style.
 */
export function fromDelimited(text: string, delimiter: string, shape: Shape): unknown {
  if (shape === 'primitive') return text;
  const items = split(text, delimiter);
  return shape === 'array' ? items : objectFromAlternating(items);
}

/** simple: `blue`, `blue,black,brown`, `R,100,G,200,B,150`, exploded `R=100,G=200,B=150`. */
export function fromSimple(text: string, shape: Shape, explode: boolean, trim = false): unknown {
  if (shape === 'primitive') return text;
  // Header lists may put optional whitespace around their commas (RFC 9110 §5.6.1).
  const items = trim ? split(text, ',').map((item) => item.trim()) : split(text, ',');
  if (shape === 'array') return items;
  return explode ? objectFromAssignments(items) : objectFromAlternating(items);
}

/** label: `.blue`, `.blue.black.brown` (exploded too), `.R.100.G.200.B.150`, `.R=100.G=200.B=150`. */
export function fromLabel(text: string, shape: Shape, explode: boolean): unknown {
  if (!text.startsWith('.')) {
    throw new MalformedParameter('is not in label style: it must start with "."');
  }
  const body = text.slice(1);
  if (shape === 'primitive') return body;
  const items = split(body, '.');
  if (shape === 'array') return items;
  return explode ? objectFromAssignments(items) : objectFromAlternating(items);
}

/**
 * matrix: `;color=blue`, `;color=blue,black,brown`, `;color=blue;color=black;color=brown`,
 * `;color=R,100,G,200,B,150`, exploded `;R=100;G=200;B=150`; `;color` is the empty value.
 */
export function fromMatrix(text: string, name: string, shape: Shape, explode: boolean): unknown {
  if (!text.startsWith(';')) {
    throw new MalformedParameter(`is not in matrix style: it must start with ";${name}"`);
  }
  const parts = text.slice(1).split(';');
  if (shape === 'object' && explode) {
    // `;color` alone is the empty object.
    return parts.length === 1 && parts[0] === name
      ? {}
      : objectFromAssignments(parts.filter(Boolean));
  }
  const values = parts.map((part) => {
    const equals = part.indexOf('=');
    const key = equals < 0 ? part : part.slice(0, equals);
    if (key !== name) {
      throw new MalformedParameter(`is not in matrix style: expected ";${name}=", not ";${part}"`);
    }
    return equals < 0 ? '' : part.slice(equals + 1);
  });
  if (shape === 'array' && explode) return parts.length === 1 && parts[0] === name ? [] : values;
  if (values.length !== 1) {
    throw new MalformedParameter(`is not in matrix style: ";${name}" must appear once`);
  }
  return fromDelimited(values[0] ?? '', ',', shape);
}
