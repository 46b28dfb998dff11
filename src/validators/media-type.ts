/** How a body of a media type is read and written. */
export type BodyKind = 'json' | 'xml' | 'text' | 'form' | 'multipart' | 'binary';

/** `application/hal+json; charset=utf-8` → `application/hal+json`. */
export function essenceOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const essence = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return essence ? essence : undefined;
}

export function charsetOf(contentType: string | undefined): string | undefined {
  const match = contentType ? /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType) : null;
  return match?.[1]?.toLowerCase();
}

/**
 * How a media type is read and written: JSON and its structured-suffix family
 * (`application/hal+json`), XML and its family (`text/xml`, `application/atom+xml`), forms,
 * multipart forms, text; anything else is bytes.
 */
export function kindOf(essence: string): BodyKind {
  if (essence === 'application/json' || essence.endsWith('+json')) return 'json';
  // Before text/*: `text/xml` is XML.
  if (essence.endsWith('/xml') || essence.endsWith('+xml')) return 'xml';
  if (essence === 'application/x-www-form-urlencoded') return 'form';
  if (essence === 'multipart/form-data') return 'multipart';
  if (essence.startsWith('text/')) return 'text';
  return 'binary';
}

/**
 * Does a concrete media type (from a request or a handler) fall under a key of a spec's `content`
 * map? Keys may be ranges: `application/*`, `*\/*`.
 */
export function matchesRange(essence: string, range: string): boolean {
  const normalized = range.toLowerCase().split(';', 1)[0]?.trim() ?? '';
  if (normalized === '*/*' || normalized === essence) return true;
  if (normalized.endsWith('/*')) return essence.startsWith(normalized.slice(0, -1));
  return false;
}

/** The most specific key of a `content` map that a media type falls under. */
export function findContentKey(essence: string, keys: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestRank = -1;
  for (const key of keys) {
    if (!matchesRange(essence, key)) continue;
    const rank = key === '*/*' ? 0 : key.endsWith('/*') ? 1 : 2;
    if (rank > bestRank) {
      best = key;
      bestRank = rank;
    }
  }
  return best;
}
