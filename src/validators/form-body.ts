import secureJson from 'secure-json-parse';
import type { MediaType, SchemaNode } from '../spec/openapi.js';
import { kindOf } from './media-type.js';
import { isArraySchema, propertiesOf, typesOf } from './schema-shape.js';

/**
 * `application/x-www-form-urlencoded` bodies, read as their media type's `encoding` says: per
 * property a `contentType` (a property sent as JSON text), a `style`/`explode` for arrays and
 * objects (as for query parameters) and `allowReserved`. Values stay text; the coercing validator
 * gives them the schema's types.
 */

export type Encoding = NonNullable<MediaType['encoding']>[string];

export type FormReading =
  { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** Reads one form body. Prepared once per media type at startup. */
export type FormReader = (text: string) => FormReading;

interface RawPair {
  name: string;
  /** Still percent-encoded, as sent: `allowReserved` is judged on it. */
  raw: string;
}

interface PropertyReader {
  /** The property's own name, or the names it is read from (an exploded object's properties). */
  read(pairs: readonly RawPair[], claimed: Set<string>): unknown;
}

/**
 * RFC 3986's reserved characters that a form encoder escapes unless `allowReserved` says they may
 * stand as they are. `!'()*` are left out: `encodeURIComponent` and URLSearchParams leave those
 * (or some of them) unescaped, so no ordinary client would be compliant otherwise.
 */
const RESERVED = /[:/?#[\]@$,;=]/;

class FormError extends Error {}

export function compileFormReader(
  schema: SchemaNode | undefined,
  encoding: MediaType['encoding'],
): FormReader {
  const readers = new Map<string, PropertyReader>();
  for (const [name, property] of propertiesOf(schema)) {
    readers.set(name, readerFor(name, property, encoding?.[name] ?? {}));
  }
  return (text) => {
    let pairs: RawPair[];
    try {
      pairs = splitPairs(text);
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
    // Own properties only, so a client's `__proto__=x` cannot reach a prototype.
    const value: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    const claimed = new Set<string>();
    try {
      for (const [name, reader] of readers) {
        const read = reader.read(pairs, claimed);
        if (read !== undefined) value[name] = read;
      }
      // What the schema does not describe is kept as today: a value, or a list when repeated.
      for (const pair of pairs) {
        if (claimed.has(pair.name) || readers.has(pair.name)) continue;
        const decoded = decode(pair.raw);
        const existing = value[pair.name];
        value[pair.name] =
          existing === undefined
            ? decoded
            : Array.isArray(existing)
              ? [...(existing as unknown[]), decoded]
              : [existing, decoded];
      }
    } catch (error) {
      if (error instanceof FormError) return { ok: false, message: error.message };
      throw error;
    }
    return { ok: true, value: { ...value } };
  };
}

function readerFor(name: string, property: SchemaNode, encoding: Encoding): PropertyReader {
  const contentType = encoding.contentType?.split(',')[0]?.trim().toLowerCase();
  const style = encoding.style ?? 'form';
  const explode = encoding.explode ?? style === 'form';
  const allowReserved = encoding.allowReserved === true;
  const types = typesOf(property);
  /** The delimiter as it may stand unencoded in the raw value. */
  const delimiter =
    style === 'spaceDelimited' ? /\+|%20/i : style === 'pipeDelimited' ? /\||%7C/i : /,/;
  const textDelimiter = style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ',';

  const checked = (raw: string, structural: RegExp | undefined): string => {
    if (!allowReserved) {
      const stripped = structural ? raw.split(structural).join('') : raw;
      const reserved = RESERVED.exec(stripped);
      if (reserved) {
        throw new FormError(
          `property "${name}" has a reserved character "${reserved[0]}" that must be percent-encoded (its encoding does not set allowReserved)`,
        );
      }
    }
    return raw;
  };

  if (contentType !== undefined && kindOf(contentType) === 'json') {
    return {
      read: (pairs) => {
        const pair = pairs.find((entry) => entry.name === name);
        if (pair === undefined) return undefined;
        const text = decode(checked(pair.raw, undefined));
        try {
          return secureJson.parse(text, null, {
            protoAction: 'error',
            constructorAction: 'error',
          }) as unknown;
        } catch (error) {
          throw new FormError(`property "${name}" is not valid JSON: ${(error as Error).message}`);
        }
      },
    };
  }

  if (isArraySchema(property)) {
    return {
      read: (pairs) => {
        const values = pairs.filter((entry) => entry.name === name);
        if (values.length === 0) return undefined;
        if (explode) return values.map((entry) => decode(checked(entry.raw, undefined)));
        // One value with delimiters: `ids=1,2,3`. Split once decoded, as query parameters are:
        // form encoders (URLSearchParams) escape the commas too.
        return values.flatMap((entry) =>
          decode(checked(entry.raw, delimiter)).split(textDelimiter),
        );
      },
    };
  }

  if (types.has('object')) {
    const inner = [...propertiesOf(property).keys()];
    if (style === 'deepObject') {
      return {
        read: (pairs, claimed) => {
          const prefix = `${name}[`;
          const entries: Array<[string, string]> = [];
          for (const pair of pairs) {
            if (!pair.name.startsWith(prefix) || !pair.name.endsWith(']')) continue;
            claimed.add(pair.name);
            entries.push([
              pair.name.slice(prefix.length, -1),
              decode(checked(pair.raw, undefined)),
            ]);
          }
          return entries.length > 0 ? { ...Object.fromEntries(entries) } : undefined;
        },
      };
    }
    if (explode) {
      // `form` exploded: the object's properties are the form's own fields (`r=1&g=2`).
      return {
        read: (pairs, claimed) => {
          const entries: Array<[string, string]> = [];
          for (const pair of pairs) {
            if (!inner.includes(pair.name)) continue;
            claimed.add(pair.name);
            entries.push([pair.name, decode(checked(pair.raw, undefined))]);
          }
          return entries.length > 0 ? { ...Object.fromEntries(entries) } : undefined;
        },
      };
    }
    return {
      read: (pairs) => {
        const pair = pairs.find((entry) => entry.name === name);
        if (pair === undefined) return undefined;
        const items = decode(checked(pair.raw, delimiter)).split(textDelimiter);
        if (items.length % 2 !== 0)
          throw new FormError(`property "${name}" is not a list of name,value pairs`);
        const entries: Array<[string, string]> = [];
        for (let index = 0; index < items.length; index += 2)
          entries.push([items[index] ?? '', items[index + 1] ?? '']);
        return { ...Object.fromEntries(entries) };
      },
    };
  }

  return {
    read: (pairs) => {
      const values = pairs.filter((entry) => entry.name === name);
      if (values.length === 0) return undefined;
      const decoded = values.map((entry) => decode(checked(entry.raw, undefined)));
      // A scalar sent twice is kept as a list, so the validator says it expected one value.
      return decoded.length === 1 ? decoded[0] : decoded;
    },
  };
}

function splitPairs(text: string): RawPair[] {
  const pairs: RawPair[] = [];
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    const equals = piece.indexOf('=');
    const rawName = equals === -1 ? piece : piece.slice(0, equals);
    pairs.push({ name: decode(rawName), raw: equals === -1 ? '' : piece.slice(equals + 1) });
  }
  return pairs;
}

/** A form value as sent: `+` is a space, then percent-decoding. */
function decode(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new FormError(`"${raw.slice(0, 40)}" is not valid percent-encoding`);
  }
}
