import type { IncomingHttpHeaders } from 'node:http';
import { unescape as percentDecode } from 'node:querystring';
import { isObject, type Parameter, type SchemaNode } from '../spec/openapi.js';
import { essenceOf, kindOf } from './media-type.js';
import {
  fromDelimited,
  fromLabel,
  fromMatrix,
  fromSimple,
  MalformedParameter,
  shapeOf,
  type ParameterObject,
  type Shape,
} from './parameter-styles.js';

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** A request's parameters as the pipeline hands them over, before any style is applied. */
export interface RawParameters {
  /** Path variables, percent-decoded by the router. */
  path: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /**
   * The query string exactly as sent, without its `?`. Only it shows whether a reserved
   * character came unencoded (allowReserved); without it that check is skipped, since the
   * decoded `query` cannot tell.
   */
  rawQuery?: string;
  headers: IncomingHttpHeaders;
  cookies: Readonly<Record<string, string | undefined>>;
}

/**
 * What the readers of one request share: the cookie header split into every value of every name
 * (the exploded form style repeats a name, which a name → value map loses), once, on first use.
 */
export class RequestSources {
  private cookieJar: Map<string, string[]> | undefined;

  constructor(readonly raw: RawParameters) {}

  cookies(): ReadonlyMap<string, readonly string[]> {
    this.cookieJar ??= cookieJarOf(this.raw);
    return this.cookieJar;
  }
}

/**
 * Returned by a reader for an empty value its parameter allows (`allowEmptyValue: true`): the
 * parameter counts as sent, and its value ('', [] or {}) is not checked against its schema.
 */
export class SentEmpty {
  constructor(readonly value: unknown) {}
}

export interface ParameterReader {
  /** The parameter's key among its location's values (header names lower-case). */
  name: string;
  /**
   * The parameter's value, split and shaped by its style (strings still: ajv coerces them), or
   * undefined when the request does not send it. Throws MalformedParameter.
   */
  read(sources: RequestSources): unknown;
}

/** Query readers also say which names they own, for the allowReserved check. */
export function isQueryReader(reader: ParameterReader): reader is QueryReader {
  return 'owns' in reader;
}

export interface QueryReader extends ParameterReader {
  /** Whether a (decoded) query name carries this parameter or a part of it. */
  owns(key: string): boolean;
  /** Characters the style itself puts between values, so they may come unencoded. */
  delimiters: string;
  /** When false, a reserved character sent unencoded in its value is refused. */
  allowReserved: boolean;
}

/**
 * What the other parameters of a location take, so that an exploded object (whose properties are
 * names of the query or cookies themselves) leaves it to them.
 */
export interface LocationClaims {
  /** The other parameters' names. */
  parameterNames: ReadonlySet<string>;
  /** Their names and the properties their exploded objects name. */
  names: ReadonlySet<string>;
  /** deepObject parameters take every `name[...]`. */
  prefixes: readonly string[];
}

/** Everything a reader is chosen by, resolved at startup. */
interface ReaderSpec {
  name: string;
  key: string;
  style: string;
  explode: boolean;
  shape: Shape;
  schema: SchemaNode;
  /** For a parameter described by `content`: how its text becomes a value. */
  parseContent?: (text: string) => unknown;
}

export function readerFor(
  location: ParameterLocation,
  parameter: Parameter,
  schema: SchemaNode,
  claims: LocationClaims,
): ParameterReader {
  const style =
    parameter.style ?? (location === 'query' || location === 'cookie' ? 'form' : 'simple');
  const spec: ReaderSpec = {
    name: parameter.name,
    key: location === 'header' ? parameter.name.toLowerCase() : parameter.name,
    style,
    // "When style is form, the default value is true. For all other styles, the default value is false."
    explode: parameter.explode ?? style === 'form',
    shape: shapeOf(schema),
    schema,
  };
  const mediaType =
    parameter.schema === undefined ? Object.keys(parameter.content ?? {})[0] : undefined;
  if (mediaType !== undefined) spec.parseContent = contentParser(mediaType);
  switch (location) {
    case 'path':
      return pathReader(spec);
    case 'header':
      return headerReader(spec);
    case 'cookie':
      return cookieReader(spec, claims);
    case 'query':
      return queryReader(spec, parameter, claims);
  }
}

/** `application/json` (and `+json`) parameters are parsed as JSON; any other media type is text. */
function contentParser(mediaType: string): (text: string) => unknown {
  if (kindOf(essenceOf(mediaType) ?? '') !== 'json') return (text) => text;
  return (text) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new MalformedParameter(`is not valid JSON (${mediaType})`, 'content');
    }
  };
}

function pathReader(spec: ReaderSpec): ParameterReader {
  const { name, key, shape, explode, parseContent } = spec;
  const parse: (text: string) => unknown =
    parseContent ??
    (spec.style === 'label'
      ? (text) => fromLabel(text, shape, explode)
      : spec.style === 'matrix'
        ? (text) => fromMatrix(text, name, shape, explode)
        : (text) => fromSimple(text, shape, explode));
  return {
    name: key,
    read: (sources) => {
      const text = sources.raw.path[name];
      return text === undefined ? undefined : parse(text);
    },
  };
}

/** Headers have only the simple style; a repeated header is one comma-separated list. */
function headerReader(spec: ReaderSpec): ParameterReader {
  const { key, shape, explode, parseContent } = spec;
  return {
    name: key,
    read: (sources) => {
      const value = sources.raw.headers[key];
      const text = Array.isArray(value) ? value.join(',') : value;
      if (text === undefined) return undefined;
      return parseContent ? parseContent(text) : fromSimple(text, shape, explode, true);
    },
  };
}

/** Cookies have only the form style: `color=blue,black`, or exploded `color=blue; color=black`. */
function cookieReader(spec: ReaderSpec, claims: LocationClaims): ParameterReader {
  const { name, shape, explode, parseContent } = spec;
  if (shape === 'object' && explode && !parseContent) {
    const takes = objectMembership(spec, claims);
    return {
      name,
      read: (sources) => objectFromNames(sources.cookies(), takes, spec.schema),
    };
  }
  return {
    name,
    read: (sources) => {
      const values = sources.cookies().get(name);
      const first = values?.[0];
      if (first === undefined) return undefined;
      if (parseContent) return parseContent(first);
      if (shape === 'array' && explode) return values;
      return fromDelimited(first, ',', shape);
    },
  };
}

function queryReader(spec: ReaderSpec, parameter: Parameter, claims: LocationClaims): QueryReader {
  const { name, shape, explode, style, parseContent } = spec;
  // allowReserved is one of the fields that go with `schema` and `style`; a parameter described
  // by `content` is serialised by its media type instead, so it is not held to it.
  const allowReserved = parameter.allowReserved === true || parseContent !== undefined;
  const allowEmpty = parameter.allowEmptyValue === true;
  const exact = (key: string): boolean => key === name;

  if (parseContent) {
    return {
      name,
      owns: exact,
      delimiters: '',
      allowReserved,
      read: (sources) => {
        const text = sources.raw.query.get(name);
        return text === null ? undefined : parseContent(text);
      },
    };
  }
  if (style === 'deepObject') {
    const prefix = `${name}[`;
    return {
      name,
      owns: (key) => key.startsWith(prefix) && key.endsWith(']'),
      delimiters: '',
      allowReserved,
      read: (sources) => deepObject(sources.raw.query, prefix, spec.schema),
    };
  }
  if (shape === 'object' && explode) {
    const takes = objectMembership(spec, claims);
    return {
      name,
      owns: takes,
      delimiters: '',
      allowReserved,
      read: (sources) => objectFromNames(queryEntries(sources.raw.query), takes, spec.schema),
    };
  }
  if (shape === 'array' && explode) {
    return {
      name,
      owns: exact,
      delimiters: '',
      allowReserved,
      read: (sources) => {
        const values = sources.raw.query.getAll(name);
        if (values.length === 0) return undefined;
        // `color=` alone is the empty array, which form serialises as an empty value.
        if (values.length === 1 && values[0] === '') return emptyValue(allowEmpty, []);
        return values;
      },
    };
  }
  // One delimited value: form (explode: false, or any primitive), spaceDelimited, pipeDelimited.
  const delimiter = style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ',';
  const isForm = style === 'form';
  return {
    name,
    owns: exact,
    delimiters: isForm && shape !== 'primitive' ? ',' : '',
    allowReserved,
    read: (sources) => {
      const text = sources.raw.query.get(name);
      if (text === null) return undefined;
      // allowEmptyValue concerns only styles that can send an empty value: form.
      if (text === '' && isForm) return emptyValue(allowEmpty, fromDelimited('', delimiter, shape));
      return fromDelimited(text, delimiter, shape);
    },
  };
}

/**
 * An empty query value (`?name=`): refused unless the parameter sets allowEmptyValue (its default
 * is false); when allowed, the parameter counts as sent without being checked against its schema.
 */
function emptyValue(allowed: boolean, shaped: unknown): SentEmpty {
  if (!allowed) {
    throw new MalformedParameter(
      'is empty: the parameter does not set allowEmptyValue: true',
      'allowEmptyValue',
    );
  }
  return new SentEmpty(shaped);
}

/**
 * Which names an exploded object takes as its properties: those its schema's properties name
 * (unless another parameter has that name), and, when it allows other properties (a free-form
 * object, or additionalProperties true or a schema), every name no other parameter claims.
 */
function objectMembership(spec: ReaderSpec, claims: LocationClaims): (key: string) => boolean {
  const schema = isObject(spec.schema) ? spec.schema : {};
  const properties = isObject(schema.properties) ? schema.properties : undefined;
  const named = new Set(
    Object.keys(properties ?? {}).filter((property) => !claims.parameterNames.has(property)),
  );
  const additional = schema.additionalProperties;
  const takesOthers =
    additional === true ||
    isObject(additional) ||
    (additional === undefined && properties === undefined);
  if (!takesOthers) return (key) => named.has(key);
  return (key) =>
    named.has(key) ||
    (!claims.names.has(key) && !claims.prefixes.some((prefix) => key.startsWith(prefix)));
}

/** The properties' schemas say which property holds a list: every value of a repeated name. */
function propertyShape(schema: SchemaNode, property: string): Shape {
  if (!isObject(schema)) return 'primitive';
  const properties = isObject(schema.properties) ? schema.properties : undefined;
  const own = properties?.[property];
  if (own !== undefined && Object.prototype.hasOwnProperty.call(properties, property)) {
    return shapeOf(own as SchemaNode);
  }
  return isObject(schema.additionalProperties) ? shapeOf(schema.additionalProperties) : 'primitive';
}

/** An exploded object from the names it takes; absent (undefined) when it takes none. */
function objectFromNames(
  entries: ReadonlyMap<string, readonly string[]>,
  takes: (key: string) => boolean,
  schema: SchemaNode,
): ParameterObject | undefined {
  const properties: Array<[string, string | string[]]> = [];
  for (const [key, values] of entries) {
    if (!takes(key)) continue;
    properties.push([
      key,
      propertyShape(schema, key) === 'array' ? [...values] : (values[0] ?? ''),
    ]);
  }
  // fromEntries defines own properties, so a client's `__proto__` cannot reach a prototype.
  return properties.length > 0 ? Object.fromEntries(properties) : undefined;
}

/** `?filter[status]=open&filter[owner]=me` → `{status: 'open', owner: 'me'}`. */
function deepObject(
  query: URLSearchParams,
  prefix: string,
  schema: SchemaNode,
): ParameterObject | undefined {
  const entries = new Map<string, string[]>();
  for (const [key, value] of query) {
    if (!key.startsWith(prefix) || !key.endsWith(']')) continue;
    const property = key.slice(prefix.length, -1);
    const values = entries.get(property);
    if (values) values.push(value);
    else entries.set(property, [value]);
  }
  return objectFromNames(entries, () => true, schema);
}

/** Every value of every name of the query, in order. */
function queryEntries(query: URLSearchParams): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  for (const [key, value] of query) {
    const values = entries.get(key);
    if (values) values.push(value);
    else entries.set(key, [value]);
  }
  return entries;
}

/**
 * `a=1; b=2; a=3` → a: [1, 3], b: [2]. Values are percent-decoded and unquoted as the `cookie`
 * package does; without a cookie header (a caller that parsed cookies itself) the map it gave.
 */
function cookieJarOf(raw: RawParameters): Map<string, string[]> {
  const jar = new Map<string, string[]>();
  const header = raw.headers.cookie;
  if (typeof header !== 'string') {
    for (const [name, value] of Object.entries(raw.cookies)) {
      if (value !== undefined) jar.set(name, [value]);
    }
    return jar;
  }
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    const name = pair.slice(0, equals).trim();
    let value = pair.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    if (value.includes('%')) value = percentDecode(value);
    const values = jar.get(name);
    if (values) values.push(value);
    else jar.set(name, [value]);
  }
  return jar;
}

/** What the other parameters of a location claim (see LocationClaims), computed at startup. */
export function claimsOf(
  others: ReadonlyArray<{ parameter: Parameter; schema: SchemaNode }>,
): LocationClaims {
  const parameterNames = new Set<string>();
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const { parameter, schema } of others) {
    parameterNames.add(parameter.name);
    names.add(parameter.name);
    // Only query and cookie parameters are claimed among each other; both default to form.
    const style = parameter.style ?? 'form';
    if (style === 'deepObject') {
      prefixes.push(`${parameter.name}[`);
      continue;
    }
    const exploded = parameter.explode ?? style === 'form';
    if (
      exploded &&
      shapeOf(schema) === 'object' &&
      isObject(schema) &&
      isObject(schema.properties)
    ) {
      for (const property of Object.keys(schema.properties)) names.add(property);
    }
  }
  return { parameterNames, names, prefixes };
}
