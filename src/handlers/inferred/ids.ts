import { randomUUID } from 'node:crypto';
import { sample } from 'openapi-sampler';
import { isObject } from '../../spec/openapi.js';
import { propertiesOf, requiredOf, type SchemaObject } from './infer.js';

export type Item = Record<string, unknown>;

/**
 * A new item's id, of the type its schema gives: the next number of the resource's sequence for an
 * integer (or number), a UUID for a string of format `uuid`, the sequence's number as a string for
 * any other string. `sequence` is the last number handed out; the answer carries the next one.
 */
export function nextId(
  idSchema: SchemaObject | undefined,
  sequence: number,
): { id: unknown; sequence: number } {
  const next = sequence + 1;
  if (typesOf(idSchema).includes('string')) {
    return { id: idSchema?.format === 'uuid' ? randomUUID() : String(next), sequence: next };
  }
  return { id: next, sequence: next };
}

/** The highest number among ids, so a sequence never hands out one a seeded item already has. */
/** An id as a path parameter spells it: ids are compared as text, `7` and `"7"` alike. */
export function idText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

export function highestNumber(items: readonly Item[], idField: string): number {
  let highest = 0;
  for (const item of items) {
    const value = Number(item[idField]);
    if (Number.isInteger(value) && value > highest) highest = value;
  }
  return highest;
}

/**
 * The properties the server fills in and the client cannot send: every missing property the item
 * schema requires, and every missing `readOnly` one with a format standin can fill (`date-time`,
 * `date`, `uuid`). Times are the virtual clock's `now`; anything else required is a sample of its
 * schema, which the answer's check then judges like any other.
 */
export function generatedFields(schema: SchemaObject, item: Item, now: Date): Item {
  const required = requiredOf(schema);
  const filled: Item = { ...item };
  for (const [name, property] of Object.entries(propertiesOf(schema))) {
    if (name in filled) continue;
    const byFormat = valueOfFormat(property, now);
    if (byFormat !== undefined && (required.has(name) || property.readOnly === true))
      filled[name] = byFormat;
    else if (required.has(name)) filled[name] = sampled(property);
  }
  return filled;
}

/** An item as an answer shows it: without the `writeOnly` properties a response must not carry. */
export function withoutWriteOnly(schema: SchemaObject, item: Item): Item {
  const hidden = Object.entries(propertiesOf(schema))
    .filter(([, property]) => property.writeOnly === true)
    .map(([name]) => name);
  if (hidden.length === 0) return item;
  return Object.fromEntries(Object.entries(item).filter(([name]) => !hidden.includes(name)));
}

/** The `readOnly` properties of an item, which a replacement (PUT) cannot send and so keeps. */
export function readOnlyFields(schema: SchemaObject, item: Item): Item {
  const kept: Item = {};
  for (const [name, property] of Object.entries(propertiesOf(schema))) {
    if (property.readOnly === true && name in item) kept[name] = item[name];
  }
  return kept;
}

function valueOfFormat(property: SchemaObject, now: Date): unknown {
  if (!typesOf(property).includes('string')) return undefined;
  if (property.format === 'date-time') return now.toISOString();
  if (property.format === 'date') return now.toISOString().slice(0, 10);
  if (property.format === 'uuid') return randomUUID();
  return undefined;
}

function sampled(property: SchemaObject): unknown {
  try {
    return sample(property, { skipNonRequired: true, skipReadOnly: false, quiet: true });
  } catch {
    return null;
  }
}

function typesOf(schema: SchemaObject | undefined): unknown[] {
  if (!schema) return [];
  if (Array.isArray(schema.type)) return schema.type as unknown[];
  if (schema.type !== undefined) return [schema.type];
  // A `oneOf`/`anyOf` of types (`[string, null]` in 3.1 written that way): any member's type counts.
  const members = [...asArray(schema.oneOf), ...asArray(schema.anyOf)];
  return members.flatMap((member) => (isObject(member) ? typesOf(member) : []));
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
