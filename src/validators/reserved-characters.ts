import { unescape as percentDecode } from 'node:querystring';
import type { Failure } from './failure.js';
import type { QueryReader } from './parameter-readers.js';

/**
 * RFC 3986's reserved characters that may stand in a query value, less `&` and `#` (they end a
 * value, so they never arrive inside one) and `+`, which the server reads as an encoded space
 * (application/x-www-form-urlencoded): a raw `+` never carries a literal plus.
 */
const RESERVED = /[:/?[\]@!$'()*,;=]/g;

/**
 * allowReserved (query parameters, default false): a value must percent-encode the reserved
 * characters; only the delimiters of its own style (the commas of `color=blue,black`) may stand
 * unencoded. One failure per parameter, naming the characters found.
 */
export function unencodedReserved(rawQuery: string, readers: readonly QueryReader[]): Failure[] {
  const found = new Map<string, Set<string>>();
  for (const pair of rawQuery.split('&')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    const value = pair.slice(equals + 1);
    const characters = value.match(RESERVED);
    if (!characters) continue;
    const key = percentDecode(pair.slice(0, equals).replace(/\+/g, ' '));
    const reader = readers.find((candidate) => candidate.owns(key));
    if (!reader || reader.allowReserved) continue;
    const offending = characters.filter((character) => !reader.delimiters.includes(character));
    if (offending.length === 0) continue;
    const seen = found.get(reader.name) ?? new Set<string>();
    for (const character of offending) seen.add(character);
    found.set(reader.name, seen);
  }
  return [...found].map(([name, characters]) => ({
    in: 'query',
    name,
    pointer: '',
    keyword: 'allowReserved',
    message: `has reserved characters sent unencoded (${[...characters].join(' ')}): percent-encode them, or the parameter must set allowReserved: true`,
  }));
}
