import { appendPointer } from '../spec/json-pointer.js';
import {
  type MediaType,
  type Response,
  type SchemaNode,
  resolved,
  type Header,
} from '../spec/openapi.js';
import type { HandlerResult } from '../types/handler-result.js';
import type { ValidateFunction } from './ajv.js';
import { formatOfKind, xmlFormat, type BodyFormat } from './body-format.js';
import { failuresFromAjv, type Failure } from './failure.js';
import { essenceOf, findContentKey, kindOf, type BodyKind } from './media-type.js';
import type { SchemaCompiler } from './schema-compiler.js';
import { readXml } from './xml-body.js';

export interface ResponseMedia {
  key: string;
  definition: MediaType;
  validate?: ValidateFunction;
  schemaPointer: string;
  /** XML written as this media type's schema says, for an XML answer (prepared at startup). */
  xml?: BodyFormat;
}

/**
 * The names of a document's schema components (`components.schemas`), by schema object: the
 * document is dereferenced, so a component is the same object wherever it is used. An XML
 * answer's root element is named after its component when its schema has no `xml.name`.
 */
export type ComponentNames = ReadonlyMap<object, string>;

interface ResponseHeader {
  /** Lower-case, as compared. */
  name: string;
  required: boolean;
  validate?: ValidateFunction;
  schemaPointer: string;
}

/** One documented response of an operation (`200`, `4XX` or `default`). */
export interface ResponseDefinition {
  statusKey: string;
  pointer: string;
  definition: Response;
  media: Map<string, ResponseMedia>;
  keys: string[];
  headers: ResponseHeader[];
}

export interface ResponsesPlan {
  byKey: Map<string, ResponseDefinition>;
  /** The documented keys as written, for messages: `200, 401, default`. */
  documented: string;
}

export type ResponseOutcome =
  | {
      ok: true;
      definition: ResponseDefinition;
      contentType: string | undefined;
      /** How `send` writes the body for its media type (engine/send.ts). */
      kind: BodyFormat | undefined;
    }
  | { ok: false; failures: Failure[] };

export function compileResponses(
  responses: Record<string, Response | { $ref: string }> | undefined,
  compiler: SchemaCompiler,
  pointer: string,
  componentNames: ComponentNames = new Map(),
): ResponsesPlan {
  const byKey = new Map<string, ResponseDefinition>();
  for (const [statusKey, maybeResponse] of Object.entries(responses ?? {})) {
    const definition = resolved<Response>(maybeResponse) as Response;
    const responsePointer = appendPointer(pointer, statusKey);
    const media = new Map<string, ResponseMedia>();
    for (const [key, mediaType] of Object.entries(definition.content ?? {})) {
      const schemaPointer = appendPointer(responsePointer, 'content', key, 'schema');
      const entry: ResponseMedia = { key, definition: mediaType, schemaPointer };
      if (mediaType.schema) {
        const schema = mediaType.schema as SchemaNode;
        const validate = compiler.body(schema, 'response', schemaPointer);
        if (validate) entry.validate = validate;
        // A range (`*/*`, `application/*`) may be answered as XML too.
        if (key.includes('*') || kindOf(essenceOf(key) ?? key) === 'xml') {
          entry.xml = xmlFormat(schema, (node) =>
            typeof node === 'object' ? componentNames.get(node) : undefined,
          );
        }
      }
      media.set(key, entry);
    }
    const headers: ResponseHeader[] = [];
    for (const [name, maybeHeader] of Object.entries(definition.headers ?? {})) {
      // "If a response header is defined with the name Content-Type, it SHALL be ignored." (OpenAPI)
      if (name.toLowerCase() === 'content-type') continue;
      const header = resolved<Header>(maybeHeader) as Header;
      const schemaPointer = appendPointer(responsePointer, 'headers', name, 'schema');
      const entry: ResponseHeader = {
        name: name.toLowerCase(),
        required: header.required === true,
        schemaPointer,
      };
      if (header.schema) {
        const validate = compiler.header(header.schema as SchemaNode, schemaPointer);
        if (validate) entry.validate = validate;
      }
      headers.push(entry);
    }
    byKey.set(statusKey.toUpperCase(), {
      statusKey,
      pointer: responsePointer,
      definition,
      media,
      keys: [...media.keys()],
      headers,
    });
  }
  return {
    byKey,
    documented: [...byKey.values()].map((definition) => definition.statusKey).join(', '),
  };
}

/**
 * What is documented for a status, in any map keyed by status key as `compileResponses` writes
 * them (`200`, `4XX`, `DEFAULT`): the exact code, else its range, else `default`. The one place
 * that rule lives: the response checks and the spec's answers (engine/spec-answers.ts) both use it.
 */
export function documentedFor<T>(byKey: ReadonlyMap<string, T>, status: number): T | undefined {
  return (
    byKey.get(String(status)) ?? byKey.get(`${Math.floor(status / 100)}XX`) ?? byKey.get('DEFAULT')
  );
}

/** The documented response for a status (see `documentedFor`). */
export function findResponse(plan: ResponsesPlan, status: number): ResponseDefinition | undefined {
  return documentedFor(plan.byKey, status);
}

/** The media type a result is sent as: its own, else the response's only concrete one. */
export function contentTypeOf(
  result: HandlerResult,
  definition: ResponseDefinition,
): string | undefined {
  if (result.contentType) return result.contentType;
  const header = headerOf(result, 'content-type');
  if (header !== undefined) return header;
  return definition.keys.find((key) => !key.includes('*'));
}

/**
 * The check every response passes before it is sent: its status is documented, its media type is
 * one the status documents, its body is valid for that media type's schema, and the documented
 * required headers are present and valid.
 */
export function checkResponse(plan: ResponsesPlan, result: HandlerResult): ResponseOutcome {
  const definition = findResponse(plan, result.status);
  if (!definition) {
    return {
      ok: false,
      failures: [
        {
          in: 'status',
          message: `status ${result.status} is not documented (documented: ${plan.documented})`,
        },
      ],
    };
  }
  const failures: Failure[] = [];
  let contentType: string | undefined;
  let format: BodyFormat | undefined;
  if (definition.keys.length === 0) {
    if (result.body !== undefined && result.body !== '') {
      failures.push({
        in: 'body',
        pointer: '',
        message: `response ${definition.statusKey} documents no content, but a body was returned`,
        schemaPath: definition.pointer,
      });
    }
  } else {
    contentType = contentTypeOf(result, definition);
    const essence = essenceOf(contentType);
    const key = essence === undefined ? undefined : findContentKey(essence, definition.keys);
    const media = key === undefined ? undefined : definition.media.get(key);
    if (essence === undefined || media === undefined) {
      failures.push({
        in: 'content-type',
        message: `media type ${essence ?? '(none)'} is not documented for ${definition.statusKey} (documented: ${definition.keys.join(', ')})`,
        schemaPath: appendPointer(definition.pointer, 'content'),
      });
    } else {
      const kind = kindOf(essence);
      format = kind === 'xml' && media.xml ? media.xml : formatOfKind(kind);
      const { body } = result;
      const cannotCarry = body === undefined ? undefined : format.cannotCarry(body);
      if (body === undefined && media.validate) {
        failures.push({
          in: 'body',
          pointer: '',
          message: `response ${definition.statusKey} documents a ${media.key} body, but none was returned`,
          schemaPath: media.schemaPointer,
        });
      } else if (cannotCarry !== undefined) {
        // Sending it anyway would mislabel it (an object as JSON text under `text/plain`).
        failures.push({
          in: 'body',
          pointer: '',
          keyword: 'mediaType',
          message: `the media type ${essence} cannot carry this value: ${cannotCarry}`,
          schemaPath: media.schemaPointer,
        });
      } else if (media.validate && kind === 'xml' && typeof body === 'string') {
        // XML a handler wrote itself: read back as its schema says, then judged like any value.
        const reading = readXml(body, media.definition.schema as SchemaNode | undefined);
        if (!reading.ok) {
          failures.push({
            in: 'body',
            pointer: '',
            message: `the body ${reading.message}`,
            schemaPath: media.schemaPointer,
          });
        } else if (!media.validate(reading.value)) {
          failures.push(...failuresFromAjv(media.validate.errors, 'body', media.schemaPointer));
        }
      } else if (media.validate && validatesAsValue(kind, body) && !media.validate(body)) {
        failures.push(...failuresFromAjv(media.validate.errors, 'body', media.schemaPointer));
      }
    }
  }
  for (const header of definition.headers) {
    const value = headerOf(result, header.name);
    if (value === undefined) {
      if (header.required) {
        failures.push({
          in: 'header',
          name: header.name,
          message: 'is required by the spec but was not set',
          schemaPath: header.schemaPointer,
        });
      }
    } else if (header.validate && !header.validate(value)) {
      failures.push(
        ...failuresFromAjv(header.validate.errors, 'header', header.schemaPointer).map(
          (failure) => ({ ...failure, name: header.name }),
        ),
      );
    }
  }
  return failures.length > 0
    ? { ok: false, failures }
    : { ok: true, definition, contentType, kind: format };
}

/**
 * Is the body the value its schema describes? Bytes are not (a binary schema describes the
 * bytes), and neither is a form a handler already wrote out as text (XML text is read back first).
 */
function validatesAsValue(kind: BodyKind, body: unknown): boolean {
  switch (kind) {
    case 'json':
    case 'text':
      return true;
    case 'xml':
    case 'form':
      return typeof body !== 'string' && !(body instanceof Uint8Array);
    case 'multipart':
    case 'binary':
      return false;
  }
}

function headerOf(result: HandlerResult, lowerName: string): string | undefined {
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (name.toLowerCase() === lowerName)
      return Array.isArray(value) ? value.join(', ') : String(value);
  }
  return undefined;
}
