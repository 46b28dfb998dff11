import type { IncomingHttpHeaders } from 'node:http';
import secureJson from 'secure-json-parse';
import { appendPointer } from '../spec/json-pointer.js';
import type { RequestBody, SchemaNode } from '../spec/openapi.js';
import type { ValidateFunction } from './ajv.js';
import { failuresFromAjv, type Failure } from './failure.js';
import { compileFormReader, type FormReader } from './form-body.js';
import { charsetOf, essenceOf, findContentKey, kindOf, type BodyKind } from './media-type.js';
import { compileMultipartReader, type MultipartReader } from './multipart-body.js';
import { DEFAULT_MULTIPART_LIMITS, splitMultipart, type MultipartLimits } from './multipart.js';
import type { SchemaCompiler } from './schema-compiler.js';
import { coerceScalar, lengthLimitsOf } from './schema-shape.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';
import { readXml } from './xml-body.js';

/**
 * One media type of a request body, with what reads it prepared at startup. JSON is validated as
 * sent; every other kind arrives as text (forms, multipart fields, XML, text) and is validated by
 * the coercing validator, which gives the values their schema's types.
 */
interface BodyMedia {
  /** The key of the spec's `content` map (may be a range such as `application/*`). */
  key: string;
  schema?: SchemaNode;
  /** For JSON bodies: no coercion. */
  validate?: ValidateFunction;
  /** For bodies whose values arrive as text. */
  validateCoercing?: ValidateFunction;
  schemaPointer: string;
  form?: FormReader;
  multipart?: MultipartReader;
  /** `maxLength`/`minLength` of a binary body, in bytes. */
  byteLimits: { min?: number; max?: number };
}

export interface RequestBodyPlan {
  required: boolean;
  media: Map<string, BodyMedia>;
  keys: string[];
}

/** What the request's headers say about its body, decided before a byte of it is read. */
export type BodyExpectation =
  | { ok: true; present: false }
  | {
      ok: true;
      present: true;
      media: BodyMedia;
      essence: string;
      kind: BodyKind;
      /** The whole Content-Type (a multipart body's boundary is in it). */
      contentType: string;
    }
  | { ok: false; status: 400 | 415; failures: Failure[] };

/** 413 when a multipart limit is passed (parts, fields, field or file size). */
export type BodyOutcome =
  { ok: true; body: unknown } | { ok: false; status: 400 | 413; failures: Failure[] };

/** Request bodies are always read as UTF-8 text when they are text at all. */
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function compileRequestBody(
  requestBody: RequestBody | undefined,
  compiler: SchemaCompiler,
  pointer: string,
): RequestBodyPlan | undefined {
  if (!requestBody) return undefined;
  const media = new Map<string, BodyMedia>();
  for (const [key, mediaType] of Object.entries(requestBody.content ?? {})) {
    const schemaPointer = appendPointer(pointer, 'content', key, 'schema');
    const schema = mediaType.schema as SchemaNode | undefined;
    const entry: BodyMedia = { key, schemaPointer, byteLimits: lengthLimitsOf(schema) };
    // A range (`*/*`) may be any kind; a concrete key is one, and only its validator is compiled.
    const isRange = key.includes('*');
    const kind = kindOf(essenceOf(key) ?? key);
    if (schema !== undefined) {
      entry.schema = schema;
      if (isRange || kind === 'json') {
        const validate = compiler.body(schema, 'request', schemaPointer);
        if (validate) entry.validate = validate;
      }
      if (isRange || (kind !== 'json' && kind !== 'binary')) {
        const validate = compiler.body(schema, 'request', schemaPointer, true);
        if (validate) entry.validateCoercing = validate;
      }
    }
    if (isRange || kind === 'form') entry.form = compileFormReader(schema, mediaType.encoding);
    if (isRange || kind === 'multipart')
      entry.multipart = compileMultipartReader(schema, mediaType.encoding);
    media.set(key, entry);
  }
  return { required: requestBody.required === true, media, keys: [...media.keys()] };
}

export function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

export function expectBody(plan: RequestBodyPlan, headers: IncomingHttpHeaders): BodyExpectation {
  if (!hasBody(headers)) {
    if (plan.required) {
      return {
        ok: false,
        status: 400,
        failures: [
          { in: 'body', pointer: '', keyword: 'required', message: 'a request body is required' },
        ],
      };
    }
    return { ok: true, present: false };
  }
  const accepted = plan.keys.join(', ');
  const essence = essenceOf(headers['content-type']);
  if (essence === undefined) {
    return unsupported(`a body needs a Content-Type; this operation accepts ${accepted}`);
  }
  const key = findContentKey(essence, plan.keys);
  const media = key === undefined ? undefined : plan.media.get(key);
  if (media === undefined) {
    return unsupported(
      `Content-Type ${essence} is not accepted here; this operation accepts ${accepted}`,
    );
  }
  const kind = kindOf(essence);
  const charset = charsetOf(headers['content-type']);
  if (kind !== 'binary' && charset !== undefined && !UTF8_NAMES.has(charset)) {
    return unsupported(`charset ${charset} is not supported; send UTF-8`);
  }
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    return unsupported(`Content-Encoding ${encoding} is not supported`);
  }
  return {
    ok: true,
    present: true,
    media,
    essence,
    kind,
    contentType: headers['content-type'] ?? essence,
  };
}

/** Decodes and validates a body that `expectBody` accepted and that has been read in full. */
export function checkBody(
  expected: Extract<BodyExpectation, { present: true }>,
  raw: Buffer,
  multipartLimits: Readonly<MultipartLimits> = DEFAULT_MULTIPART_LIMITS,
): BodyOutcome {
  const { media, kind } = expected;
  switch (kind) {
    case 'binary':
      return checkBytes(media, raw);
    case 'multipart':
      return checkMultipart(media, raw, expected.contentType, multipartLimits);
    default:
      break;
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return invalid('is not valid UTF-8');
  }
  switch (kind) {
    case 'json': {
      if (text.trim() === '') return invalid('is empty, but Content-Type says JSON');
      if (nestsDeeperThan(text, MAX_JSON_DEPTH))
        return invalid(`nests deeper than ${MAX_JSON_DEPTH} levels`);
      let body: unknown;
      try {
        body = secureJson.parse(text, null, {
          protoAction: 'error',
          constructorAction: 'error',
        }) as unknown;
      } catch (error) {
        return invalid(`is not valid JSON: ${(error as Error).message}`);
      }
      return validated(media, media.validate, body);
    }
    case 'form': {
      const reading = (media.form ?? compileFormReader(media.schema, undefined))(text);
      if (!reading.ok) return invalid(reading.message);
      return validated(media, media.validateCoercing, reading.value);
    }
    case 'xml': {
      const reading = readXml(text, media.schema);
      if (!reading.ok) return invalid(reading.message);
      return validated(media, media.validateCoercing, reading.value);
    }
    default:
      // Text: a string, or the schema's scalar when it reads as one (`42` for an integer).
      return validated(
        media,
        media.validateCoercing,
        media.schema === undefined ? text : coerceScalar(text, media.schema),
      );
  }
}

/** Bytes are not a value a schema describes; only their length (`maxLength`) is checked. */
function checkBytes(media: BodyMedia, raw: Buffer): BodyOutcome {
  const { min, max } = media.byteLimits;
  if (max !== undefined && raw.length > max)
    return invalid(`is ${raw.length} bytes, more than the maxLength of ${max}`, 'maxLength');
  if (min !== undefined && raw.length < min)
    return invalid(`is ${raw.length} bytes, fewer than the minLength of ${min}`, 'minLength');
  return { ok: true, body: raw };
}

function checkMultipart(
  media: BodyMedia,
  raw: Buffer,
  contentType: string,
  limits: Readonly<MultipartLimits>,
): BodyOutcome {
  const split = splitMultipart(raw, contentType, limits);
  if (!split.ok) {
    return {
      ok: false,
      status: split.status,
      failures: [{ in: 'body', pointer: '', message: `the body ${split.message}` }],
    };
  }
  const reader = media.multipart ?? compileMultipartReader(media.schema, undefined);
  const reading = reader(split.parts);
  if (!reading.ok) return invalid(reading.message);
  const outcome = validated(media, media.validateCoercing, reading.value);
  if (!outcome.ok) return outcome;
  // Validation ran on stand-ins for the files (and coerced the text parts in place).
  return { ok: true, body: reading.restoreFiles(reading.value) };
}

function validated(
  media: BodyMedia,
  validate: ValidateFunction | undefined,
  body: unknown,
): BodyOutcome {
  if (validate && !validate(body)) {
    return {
      ok: false,
      status: 400,
      failures: failuresFromAjv(validate.errors, 'body', media.schemaPointer),
    };
  }
  return { ok: true, body };
}

function unsupported(message: string): BodyExpectation {
  return { ok: false, status: 415, failures: [{ in: 'content-type', message }] };
}

function invalid(message: string, keyword?: string): BodyOutcome {
  return {
    ok: false,
    status: 400,
    failures: [
      { in: 'body', pointer: '', ...(keyword ? { keyword } : {}), message: `the body ${message}` },
    ],
  };
}
