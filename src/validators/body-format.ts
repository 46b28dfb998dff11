import type { SchemaNode } from '../spec/openapi.js';
import type { BodyKind } from './media-type.js';
import { createXmlWriter } from './xml-body.js';

/**
 * How a response body of one media type is written, prepared at startup: the response check
 * (validators/response.ts) asks whether the media type can carry the value at all, and `send`
 * (engine/send.ts) writes it. JSON is the hot path: one shared format, JSON.stringify, nothing
 * allocated per request.
 */
export interface BodyFormat {
  kind: BodyKind;
  /** Why this media type cannot carry the value, or undefined when it can. */
  cannotCarry(body: unknown): string | undefined;
  serialize(body: unknown): string | Buffer;
}

function isBytes(body: unknown): body is Uint8Array {
  return body instanceof Uint8Array;
}

function bytesOrText(body: unknown): string | Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (isBytes(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return typeof body === 'string' ? body : String(body);
}

/** A form field's text; `cannotCarry` has already refused nested values. */
function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function describe(body: unknown): string {
  if (body === null) return 'null';
  if (Array.isArray(body)) return 'an array';
  return typeof body === 'object' ? 'an object' : `a ${typeof body}`;
}

export const JSON_FORMAT: BodyFormat = {
  kind: 'json',
  cannotCarry: () => undefined,
  serialize: (body) => JSON.stringify(body),
};

/** `text/*`: text, or a number or boolean printed; never an object in disguise. */
export const TEXT_FORMAT: BodyFormat = {
  kind: 'text',
  cannotCarry: (body) =>
    typeof body === 'string' ||
    typeof body === 'number' ||
    typeof body === 'boolean' ||
    isBytes(body)
      ? undefined
      : `${describe(body)} cannot be sent as text: a text media type carries a string`,
  serialize: bytesOrText,
};

/** `application/octet-stream` and any other bytes: a Buffer, a Uint8Array or a string. */
export const BINARY_FORMAT: BodyFormat = {
  kind: 'binary',
  cannotCarry: (body) =>
    typeof body === 'string' || isBytes(body)
      ? undefined
      : `${describe(body)} cannot be sent as bytes: a binary media type carries a Buffer or a string`,
  serialize: bytesOrText,
};

/** `application/x-www-form-urlencoded`: an object of scalars (or lists of them), or ready text. */
export const FORM_FORMAT: BodyFormat = {
  kind: 'form',
  cannotCarry: (body) => {
    if (typeof body === 'string' || isBytes(body)) return undefined;
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return `${describe(body)} cannot be sent as a form: a form carries an object of fields`;
    for (const [name, value] of Object.entries(body)) {
      const values: unknown[] = Array.isArray(value) ? value : [value];
      if (values.some((item) => item !== null && typeof item === 'object'))
        return `the form field "${name}" is nested, which a form cannot carry`;
    }
    return undefined;
  },
  serialize: (body) => {
    if (typeof body === 'string' || isBytes(body)) return bytesOrText(body);
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
      for (const item of Array.isArray(value) ? (value as unknown[]) : [value])
        if (item !== undefined) form.append(name, scalarText(item));
    }
    return form.toString();
  },
};

/**
 * `multipart/form-data` answers are bytes a handler already framed (the boundary is in its
 * Content-Type): standin does not invent a boundary for an object.
 */
export const MULTIPART_FORMAT: BodyFormat = {
  ...BINARY_FORMAT,
  kind: 'multipart',
  cannotCarry: (body) =>
    typeof body === 'string' || isBytes(body)
      ? undefined
      : `${describe(body)} cannot be sent as multipart/form-data: send the framed bytes`,
};

/** XML: an object or array is written as the schema's `xml` objects say; text is sent as is. */
export function xmlFormat(
  schema: SchemaNode | undefined,
  componentNameOf?: (schema: SchemaNode) => string | undefined,
): BodyFormat {
  const write = createXmlWriter(schema, componentNameOf);
  return {
    kind: 'xml',
    cannotCarry: (body) =>
      body === undefined || typeof body === 'function' || typeof body === 'symbol'
        ? `${describe(body)} cannot be sent as XML`
        : undefined,
    serialize: (body) =>
      typeof body === 'string' || isBytes(body) ? bytesOrText(body) : write(body),
  };
}

/** XML without a schema (a media type documented without one). */
export const PLAIN_XML_FORMAT: BodyFormat = xmlFormat(undefined);

/** The shared format of a kind; XML with a schema is prepared per media type (`xmlFormat`). */
export function formatOfKind(kind: BodyKind): BodyFormat {
  switch (kind) {
    case 'json':
      return JSON_FORMAT;
    case 'text':
      return TEXT_FORMAT;
    case 'form':
      return FORM_FORMAT;
    case 'multipart':
      return MULTIPART_FORMAT;
    case 'xml':
      return PLAIN_XML_FORMAT;
    case 'binary':
      return BINARY_FORMAT;
  }
}
