/** RFC 6901 JSON pointers in URI-fragment form (`#/paths/~1a/get`), as swagger-parser reports them. */

export function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function pointerFrom(segments: ReadonlyArray<string | number>): string {
  return '#' + segments.map((segment) => '/' + escapeSegment(segment)).join('');
}

export function appendPointer(pointer: string, ...segments: Array<string | number>): string {
  return pointer + segments.map((segment) => '/' + escapeSegment(segment)).join('');
}

export function segmentsOf(pointer: string): string[] {
  const withoutHash = pointer.startsWith('#') ? pointer.slice(1) : pointer;
  if (withoutHash === '' || withoutHash === '/') return [];
  return withoutHash
    .slice(1)
    .split('/')
    .map((segment) => unescapeSegment(decodeURIComponentSafe(segment)));
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
