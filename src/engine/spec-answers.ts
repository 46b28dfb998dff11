import { randomInt } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { generateSync } from 'json-schema-faker';
import Negotiator from 'negotiator';
import { sample } from 'openapi-sampler';
import { isObject, type OpenApiVersion, type SchemaNode } from '../spec/openapi.js';
import { kindOf, type BodyKind } from '../validators/media-type.js';
import {
  documentedFor,
  type ResponseDefinition,
  type ResponseMedia,
  type ResponsesPlan,
} from '../validators/response.js';
import { toJsonSchema } from '../validators/to-json-schema.js';
import type { HandlerResult } from '../types/handler-result.js';
import { documentedHeaders } from './documented-headers.js';
import { ProblemError, problems, type Problem } from './problem.js';
import type { Preferences } from './prefer.js';

/** Which part of a problem fills a field of a vendor's error body. */
type ProblemPart = 'detail' | 'title' | 'status' | 'instance' | 'type';

interface MediaAnswer {
  key: string;
  /** What is sent: the key itself, or JSON for a range such as `*\/*`. */
  contentType: string;
  kind: BodyKind;
  /** The spec's example, else a value generated from the schema; undefined when neither exists. */
  staticBody: unknown;
  named: Map<string, unknown>;
  /** For `Prefer: dynamic=true`: the schema as JSON Schema, without properties that must not be sent. */
  generationSchema?: SchemaNode;
  /** For errors in the vendor's format: the fields a problem's own words go into. */
  errorFields: Array<[field: string, part: ProblemPart]>;
  errorBase: unknown;
}

interface StatusAnswer {
  definition: ResponseDefinition;
  media: MediaAnswer[];
  /** The documented headers with their values (engine/documented-headers.ts), sent with every answer. */
  headers: Record<string, string>;
}

/**
 * Everything an operation can answer straight from its spec, prepared at startup: for an
 * operation without a handler, for `Prefer`, and for errors in the vendor's documented format.
 */
export interface SpecAnswers {
  byKey: Map<string, StatusAnswer>;
  /** The status answered when nothing asks for another: the lowest documented 2xx. */
  defaultStatus: number | undefined;
}

export function compileSpecAnswers(
  responses: ResponsesPlan,
  version: OpenApiVersion,
  operationId: string,
  warn: (message: string) => void,
): SpecAnswers {
  const byKey = new Map<string, StatusAnswer>();
  for (const [key, definition] of responses.byKey) {
    byKey.set(key, {
      definition,
      media: [...definition.media.values()].map((media) =>
        compileMedia(media, version, (message) =>
          warn(`${operationId} ${definition.statusKey} ${media.key}: ${message}`),
        ),
      ),
      headers: documentedHeaders(definition, (message) =>
        warn(`${operationId} ${definition.statusKey}: ${message}`),
      ),
    });
  }
  return { byKey, defaultStatus: defaultStatusOf([...responses.byKey.keys()]) };
}

function compileMedia(
  media: ResponseMedia,
  version: OpenApiVersion,
  warn: (message: string) => void,
): MediaAnswer {
  const { key, definition } = media;
  const contentType = key.includes('*') ? 'application/json' : key;
  const kind = kindOf(contentType);
  const schema = definition.schema as SchemaNode | undefined;
  const isValid = (value: unknown): boolean => !media.validate || media.validate(value);
  const named = new Map<string, unknown>();
  for (const [name, example] of Object.entries(definition.examples ?? {})) {
    if (!isObject(example) || !('value' in example)) continue;
    named.set(name, example.value);
    if (!isValid(example.value)) warn(`the example "${name}" does not match the schema`);
  }
  const mediaExample: unknown = definition.example;
  if (mediaExample !== undefined && !isValid(mediaExample))
    warn('the example does not match the schema');
  const documentedExample = mediaExample !== undefined ? mediaExample : [...named.values()][0];
  const staticBody =
    documentedExample !== undefined
      ? documentedExample
      : schema !== undefined
        ? validSample(schema, isValid, warn)
        : undefined;
  const answer: MediaAnswer = {
    key,
    contentType,
    kind,
    staticBody,
    named,
    errorFields: [],
    errorBase: staticBody,
  };
  if (schema !== undefined) {
    answer.generationSchema = toJsonSchema(schema, {
      version,
      direction: 'response',
      forbidden: 'omit',
    });
    if (documentedExample === undefined && kind === 'json') {
      const { fields, base } = errorTemplate(schema, sampleOf(schema, false));
      answer.errorFields = fields;
      answer.errorBase = base;
    }
  }
  return answer;
}

/**
 * A generated value that passes the schema's own validator. The sampler fills optional properties
 * too, and cuts recursion at a depth where required properties may be missing; leaving optional
 * properties out usually mends that.
 */
function validSample(
  schema: SchemaNode,
  isValid: (value: unknown) => boolean,
  warn: (message: string) => void,
): unknown {
  const full = sampleOf(schema, false);
  if (isValid(full)) return full;
  const minimal = sampleOf(schema, true);
  if (isValid(minimal)) return minimal;
  warn('no value generated from the schema passes it; answering without a handler will be a 500');
  return full;
}

function sampleOf(schema: SchemaNode, skipNonRequired: boolean): unknown {
  if (typeof schema === 'boolean') return schema ? {} : undefined;
  try {
    return sample(schema, { skipWriteOnly: true, skipNonRequired, quiet: true });
  } catch {
    return undefined;
  }
}

/**
 * A vendor's error body in its own shape, for refusals the engine makes (a missing credential, an
 * invalid parameter). Where the vendor's document gives words (an example), they are kept, since
 * they are what the vendor says; fields with nothing documented carry the problem's own words, and
 * optional fields with nothing to say are left out.
 */
function errorTemplate(
  schema: SchemaNode,
  sampled: unknown,
): { fields: Array<[string, ProblemPart]>; base: unknown } {
  if (!isObject(schema) || !isObject(schema.properties) || !isObject(sampled))
    return { fields: [], base: sampled };
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const fields: Array<[string, ProblemPart]> = [];
  const base: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    if (!isObject(property)) continue;
    const documented =
      property.example !== undefined ||
      property.examples !== undefined ||
      property.const !== undefined ||
      property.enum !== undefined;
    const part = documented ? undefined : problemPartFor(name, property);
    if (part) fields.push([name, part]);
    else if (documented || required.has(name)) base[name] = sampled[name];
  }
  return { fields, base };
}

const TEXT_FIELDS: Record<string, ProblemPart> = {
  message: 'detail',
  detail: 'detail',
  error_description: 'detail',
  errormessage: 'detail',
  error_message: 'detail',
  description: 'detail',
  title: 'title',
  error: 'title',
  instance: 'instance',
  type: 'type',
};
const NUMBER_FIELDS = new Set(['status', 'code', 'statuscode', 'status_code']);

function problemPartFor(name: string, property: Record<string, unknown>): ProblemPart | undefined {
  const types = Array.isArray(property.type) ? property.type : [property.type];
  const lower = name.toLowerCase();
  if (types.includes('string')) return TEXT_FIELDS[lower];
  if ((types.includes('integer') || types.includes('number')) && NUMBER_FIELDS.has(lower))
    return 'status';
  return undefined;
}

function defaultStatusOf(keys: string[]): number | undefined {
  const exact = keys
    .filter((key) => /^\d{3}$/.test(key))
    .map(Number)
    .sort((a, b) => a - b);
  const success = exact.find((status) => status >= 200 && status < 300);
  if (success !== undefined) return success;
  if (keys.includes('2XX') || keys.includes('DEFAULT')) return 200;
  return exact[0];
}

function negotiate(media: MediaAnswer[], accept: string | undefined): MediaAnswer | undefined {
  if (media.length <= 1 || !accept) return media[0];
  const preferred = new Negotiator({ headers: { accept } }).mediaTypes(
    media.map((entry) => entry.contentType),
  );
  // A client that accepts none of them still gets the vendor's media type, as from the vendor.
  return media.find((entry) => entry.contentType === preferred[0]) ?? media[0];
}

/** An answer from the spec alone: for operations without a handler, and for `Prefer`. */
export function answerFromSpec(
  answers: SpecAnswers,
  operationId: string,
  preferences: Preferences,
  accept: string | undefined,
  instance: string,
): HandlerResult {
  const { answer, result } = bodyFromSpec(answers, operationId, preferences, accept, instance);
  if (Object.keys(answer.headers).length === 0) return result;
  // The prepared headers are only read, never changed, so they are shared like the bodies.
  if (!result.headers) return { ...result, headers: answer.headers };
  return { ...result, headers: { ...answer.headers, ...result.headers } };
}

/** The status and body of an answer from the spec, and the documented response it came from. */
function bodyFromSpec(
  answers: SpecAnswers,
  operationId: string,
  preferences: Preferences,
  accept: string | undefined,
  instance: string,
): { answer: StatusAnswer; result: HandlerResult } {
  const status = preferences.code ?? answers.defaultStatus;
  const answer = status === undefined ? undefined : documentedFor(answers.byKey, status);
  if (status === undefined || answer === undefined) {
    const documented = [...answers.byKey.values()]
      .map((entry) => entry.definition.statusKey)
      .join(', ');
    throw new ProblemError(
      problems.badPreference(
        `${operationId} documents no response for status ${status ?? '(none)'} (documented: ${documented || 'none'})`,
      ),
    );
  }
  const media = negotiate(answer.media, accept);
  if (media === undefined) return { answer, result: { status } };
  if (preferences.example !== undefined) {
    if (!media.named.has(preferences.example)) {
      const names = [...media.named.keys()];
      throw new ProblemError(
        problems.badPreference(
          `${operationId} ${answer.definition.statusKey} ${media.key} has no example named "${preferences.example}" (named examples: ${names.join(', ') || 'none'})`,
        ),
      );
    }
    return {
      answer,
      result: {
        status,
        contentType: media.contentType,
        body: media.named.get(preferences.example),
      },
    };
  }
  if (status >= 400 && media.errorFields.length > 0) {
    // An error asked for with `Prefer: code=409` and documented without an example: the vendor's
    // shape, saying what the spec says of that status rather than the sampler's "string"s.
    const said = answer.definition.definition.description || STATUS_CODES[status] || 'Error';
    const result = vendorErrorBody(answers, {
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: said,
      instance,
    }) as HandlerResult;
    return { answer, result };
  }
  if (preferences.dynamic === true && media.generationSchema !== undefined) {
    return {
      answer,
      result: {
        status,
        contentType: media.contentType,
        body: generateSync(media.generationSchema, { seed: randomInt(2 ** 31) }),
      },
    };
  }
  // Answers are only serialized, never changed, so the prepared value is shared.
  return { answer, result: { status, contentType: media.contentType, body: media.staticBody } };
}

/**
 * A refusal in the vendor's documented format for its status, if the operation documents one
 * (the exact status, its range, or `default`), with the documented headers; without a body when
 * that response documents no content (OpenAPI 3.0 §4.7.17). Undefined when none is documented.
 */
export function vendorErrorBody(answers: SpecAnswers, problem: Problem): HandlerResult | undefined {
  const answer = documentedFor(answers.byKey, problem.status);
  if (!answer) return undefined;
  const headers = Object.keys(answer.headers).length > 0 ? { headers: answer.headers } : {};
  const media = answer.media[0];
  if (!media) return { status: problem.status, ...headers };
  let body = media.errorBase;
  if (media.errorFields.length > 0 && isObject(body)) {
    const filled: Record<string, unknown> = { ...body };
    for (const [field, part] of media.errorFields) {
      filled[field] =
        part === 'type'
          ? 'about:blank'
          : part === 'instance'
            ? (problem.instance ?? '')
            : problem[part];
    }
    body = filled;
  }
  return { status: problem.status, contentType: media.contentType, body, ...headers };
}
