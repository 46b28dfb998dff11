import type { IncomingHttpHeaders } from 'node:http';
import secureJson from 'secure-json-parse';
import { appendPointer } from '../spec/json-pointer.js';
import type { RequestBody, SchemaNode } from '../spec/openapi.js';
import type { ValidateFunction } from './ajv.js';
import { failuresFromAjv, type Failure } from './failure.js';
import { charsetOf, essenceOf, findContentKey, kindOf, type BodyKind } from './media-type.js';
import type { SchemaCompiler } from './schema-compiler.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';

interface BodyMedia {
  /** The key of the spec's `content` map (may be a range such as `application/*`). */
  key: string;
  validate?: ValidateFunction;
  schemaPointer: string;
}

export interface RequestBodyPlan {
  required: boolean;
  media: Map<string, BodyMedia>;
  keys: string[];
}

/** What the request's headers say about its body, decided before a byte of it is read. */
export type BodyExpectation =
  | { ok: true; present: false }
  | { ok: true; present: true; media: BodyMedia; essence: string; kind: BodyKind }
  | { ok: false; status: 400 | 415; failures: Failure[] };

export type BodyOutcome =
  { ok: true; body: unknown } | { ok: false; status: 400; failures: Failure[] };

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
    const entry: BodyMedia = { key, schemaPointer };
    if (mediaType.schema) {
      const coerce = key.toLowerCase().startsWith('application/x-www-form-urlencoded');
      const validate = compiler.body(
        mediaType.schema as SchemaNode,
        'request',
        schemaPointer,
        coerce,
      );
      if (validate) entry.validate = validate;
    }
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
  return { ok: true, present: true, media, essence, kind };
}

/** Decodes and validates a body that `expectBody` accepted and that has been read in full. */
export function checkBody(
  expected: Extract<BodyExpectation, { present: true }>,
  raw: Buffer,
): BodyOutcome {
  const { media, kind } = expected;
  let body: unknown = raw;
  if (kind !== 'binary') {
    let text: string;
    try {
      text = utf8.decode(raw);
    } catch {
      return invalid('is not valid UTF-8');
    }
    if (kind === 'json') {
      if (text.trim() === '') return invalid('is empty, but Content-Type says JSON');
      if (nestsDeeperThan(text, MAX_JSON_DEPTH))
        return invalid(`nests deeper than ${MAX_JSON_DEPTH} levels`);
      try {
        body = secureJson.parse(text, null, {
          protoAction: 'error',
          constructorAction: 'error',
        }) as unknown;
      } catch (error) {
        return invalid(`is not valid JSON: ${(error as Error).message}`);
      }
    } else if (kind === 'form') {
      body = formToObject(new URLSearchParams(text));
    } else {
      body = text;
    }
  }
  if (media.validate && kind !== 'binary' && !media.validate(body)) {
    return {
      ok: false,
      status: 400,
      failures: failuresFromAjv(media.validate.errors, 'body', media.schemaPointer),
    };
  }
  return { ok: true, body };
}

function formToObject(form: URLSearchParams): Record<string, string | string[]> {
  const entries = new Map<string, string | string[]>();
  for (const [key, value] of form) {
    const existing = entries.get(key);
    entries.set(
      key,
      existing === undefined
        ? value
        : Array.isArray(existing)
          ? [...existing, value]
          : [existing, value],
    );
  }
  return Object.fromEntries(entries);
}

function unsupported(message: string): BodyExpectation {
  return { ok: false, status: 415, failures: [{ in: 'content-type', message }] };
}

function invalid(message: string): BodyOutcome {
  return {
    ok: false,
    status: 400,
    failures: [{ in: 'body', pointer: '', message: `the body ${message}` }],
  };
}
