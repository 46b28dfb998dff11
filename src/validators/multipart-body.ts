import secureJson from 'secure-json-parse';
import type { MediaType, SchemaNode } from '../spec/openapi.js';
import { matchesRange } from './media-type.js';
import { isFilePart, type MultipartPart } from './multipart.js';
import { isArraySchema, itemsOf, propertiesOf, typesOf } from './schema-shape.js';

/**
 * A `multipart/form-data` body as the object its schema describes: each part is a property;
 * repeated parts are a list; a file part is a Buffer; a JSON part (by its Content-Type or its
 * `encoding`) is parsed; a text part is text, given the schema's type by the coercing validator.
 * A part whose Content-Type is not one its `encoding` allows is refused.
 */

export interface MultipartReading {
  ok: true;
  /**
   * The object to validate: file parts stand in it as `latin1` text of their bytes, so a
   * `type: string, format: binary` schema accepts them and a `maxLength` counts their bytes.
   */
  value: Record<string, unknown>;
  /** Puts the files' Buffers back in place of their stand-ins, once the value is validated. */
  restoreFiles(validated: Record<string, unknown>): Record<string, unknown>;
}

export type MultipartReader = (
  parts: readonly MultipartPart[],
) => MultipartReading | { ok: false; message: string };

interface PropertyPlan {
  isArray: boolean;
  /** The encoding's `contentType` ranges (`image/png, image/*`); undefined when unspecified. */
  allowed?: string[];
  /** The part is JSON text when it does not say otherwise: by its encoding, or by default. */
  json: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function compileMultipartReader(
  schema: SchemaNode | undefined,
  encoding: MediaType['encoding'],
): MultipartReader {
  const plans = new Map<string, PropertyPlan>();
  for (const [name, property] of propertiesOf(schema)) {
    const allowed = encoding?.[name]?.contentType
      ?.split(',')
      .map((range) => range.trim().toLowerCase())
      .filter((range) => range !== '');
    const isArray = isArraySchema(property);
    const specified = allowed !== undefined && allowed.length > 0;
    // OpenAPI's default `contentType` of a part: application/json for an object (or an array of
    // them), text/plain for other scalars, application/octet-stream for binary strings.
    const isObjectValued = typesOf(isArray ? itemsOf(property) : property).has('object');
    const plan: PropertyPlan = {
      isArray,
      json: specified ? allowed.every(isJsonType) : isObjectValued,
    };
    if (allowed !== undefined && allowed.length > 0) plan.allowed = allowed;
    plans.set(name, plan);
  }

  return (parts) => {
    const byName = new Map<string, Array<{ value: unknown; file?: Buffer }>>();
    for (const part of parts) {
      const plan = plans.get(part.name);
      // A part without a Content-Type is taken to be what its encoding says (RFC 7578 makes it
      // text/plain, but clients rarely label JSON parts they were told to send).
      if (plan?.allowed && part.contentType !== undefined) {
        const type = part.contentType;
        if (!plan.allowed.some((range) => matchesRange(type, range))) {
          return {
            ok: false,
            message: `part "${part.name}" is ${type}, but its encoding allows ${plan.allowed.join(', ')}`,
          };
        }
      }
      const isJson =
        part.contentType !== undefined ? isJsonType(part.contentType) : plan?.json === true;
      let entry: { value: unknown; file?: Buffer };
      if (isJson) {
        const text = textOf(part);
        if (text === undefined)
          return { ok: false, message: `part "${part.name}" is not valid UTF-8` };
        try {
          entry = {
            value: secureJson.parse(text, null, {
              protoAction: 'error',
              constructorAction: 'error',
            }) as unknown,
          };
        } catch (error) {
          return {
            ok: false,
            message: `part "${part.name}" is not valid JSON: ${(error as Error).message}`,
          };
        }
      } else if (isFilePart(part)) {
        entry = { value: part.data.toString('latin1'), file: part.data };
      } else {
        const text = textOf(part);
        if (text === undefined)
          return { ok: false, message: `part "${part.name}" is not valid UTF-8` };
        entry = { value: text };
      }
      const list = byName.get(part.name);
      if (list) list.push(entry);
      else byName.set(part.name, [entry]);
    }

    // Own properties only, so a part named `__proto__` cannot reach a prototype.
    const value = Object.create(null) as Record<string, unknown>;
    for (const [name, entries] of byName) {
      const plan = plans.get(name);
      // One part for a non-array property is its value; a repeated one stays a list, for the
      // validator to refuse.
      value[name] =
        plan?.isArray === true || entries.length > 1
          ? entries.map((entry) => entry.value)
          : entries[0]?.value;
    }
    const restoreFiles = (validated: Record<string, unknown>): Record<string, unknown> => {
      for (const [name, entries] of byName) {
        if (!entries.some((entry) => entry.file)) continue;
        const current = validated[name];
        if (Array.isArray(current)) {
          entries.forEach((entry, index) => {
            if (entry.file) current[index] = entry.file;
          });
        } else if (entries[0]?.file) {
          validated[name] = entries[0].file;
        }
      }
      return validated;
    };
    return { ok: true, value: { ...value }, restoreFiles };
  };
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

function textOf(part: MultipartPart): string | undefined {
  if (part.charset !== undefined && !['utf-8', 'utf8', 'us-ascii'].includes(part.charset))
    return part.data.toString('latin1');
  try {
    return utf8.decode(part.data);
  } catch {
    return undefined;
  }
}
