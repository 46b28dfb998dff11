import { sample } from 'openapi-sampler';
import { isObject, resolved, type Header } from '../spec/openapi.js';
import type { ResponseDefinition } from '../validators/response.js';

/**
 * Headers that describe the message itself: the server sets them from the body it sends, and a
 * sampled value would lie about it (a `Content-Length` of 0, a `Content-Encoding: gzip`).
 */
const FRAMING_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
]);

/**
 * The headers an answer from the spec sends with a documented response (OpenAPI 3.0 §4.7.17,
 * `headers`): each required one, and each optional one the spec gives a value for (an example, a
 * default, an enum) or a schema to sample one from. A value is one that passes the header's own
 * check (the response check validates every header that is present). Computed once, at startup.
 */
export function documentedHeaders(
  response: ResponseDefinition,
  warn: (message: string) => void,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, maybeHeader] of Object.entries(response.definition.headers ?? {})) {
    const lower = name.toLowerCase();
    if (FRAMING_HEADERS.has(lower)) continue;
    const header = resolved<Header>(maybeHeader);
    if (!isObject(header)) continue;
    const check = response.headers.find((entry) => entry.name === lower);
    const candidates = candidatesOf(header);
    const valid = candidates.find((value) => !check?.validate || check.validate(value));
    if (valid !== undefined) {
      headers[name] = valid;
      continue;
    }
    if (header.required === true) {
      warn(`the required header ${name} has no example or schema that gives a valid value`);
      const first = candidates[0];
      if (first !== undefined) headers[name] = first;
    }
  }
  return headers;
}

/** The values the spec offers for a header, most documented first, serialized as sent. */
function candidatesOf(header: Record<string, unknown>): string[] {
  const values: unknown[] = [header.example, ...exampleValues(header.examples)];
  const schema: unknown = header.schema;
  if (isObject(schema)) {
    values.push(schema.example);
    if (Array.isArray(schema.examples)) values.push(...(schema.examples as unknown[]));
    values.push(schema.default);
    if (Array.isArray(schema.enum)) values.push(schema.enum[0]);
    values.push(sampled(schema));
  }
  // A header described by `content` instead of a schema: its media type's example or sample.
  if (isObject(header.content)) {
    const media = Object.values(header.content)[0];
    if (isObject(media)) {
      values.push(media.example, ...exampleValues(media.examples));
      if (isObject(media.schema)) values.push(JSON.stringify(sampled(media.schema)));
    }
  }
  return values
    .map(serialized)
    .filter((value): value is string => value !== undefined && value !== '');
}

function exampleValues(examples: unknown): unknown[] {
  if (!isObject(examples)) return [];
  return Object.values(examples).map((example) =>
    isObject(example) && 'value' in example ? example.value : undefined,
  );
}

function sampled(schema: { [keyword: string]: unknown }): unknown {
  try {
    return sample(schema, { skipWriteOnly: true, quiet: true });
  } catch {
    return undefined;
  }
}

/** As OpenAPI's `simple` style writes a header (§4.7.12.4): arrays and objects comma-separated. */
function serialized(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((item) => serialized(item) ?? '').join(',');
  if (isObject(value))
    return Object.entries(value)
      .flatMap(([key, item]) => [key, serialized(item) ?? ''])
      .join(',');
  return undefined;
}
