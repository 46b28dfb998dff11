import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { segmentsOf } from './json-pointer.js';

export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * Finds the line of a JSON pointer in a spec's own text (YAML, or JSON, which YAML reads too).
 *
 * Validation reports places in the dereferenced document, so a pointer may pass through a `$ref`
 * (`.../schema/properties/id` where `schema` is `$ref: '#/components/schemas/X'`). A local `$ref`
 * met on the way is followed, so the line points at the definition a reader must fix. Where the
 * pointer leaves the text (an external file, a generated place), the deepest node reached is given.
 */
export function locatePointer(source: string, pointer: string): SourcePosition | undefined {
  return pointerLocator(source)(pointer);
}

/**
 * `locatePointer` for many pointers of one text: the text is parsed once (a document with
 * hundreds of problems or warnings would otherwise be parsed again for each).
 */
export function pointerLocator(source: string): (pointer: string) => SourcePosition | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, {
    lineCounter,
    keepSourceTokens: false,
    uniqueKeys: false,
  });
  const root = document.errors.length > 0 ? null : document.contents;
  return (pointer) => (root ? positionOf(root, lineCounter, pointer) : undefined);
}

function positionOf(
  root: Node,
  lineCounter: LineCounter,
  pointer: string,
): SourcePosition | undefined {
  let node: Node = root;
  const pending = segmentsOf(pointer);
  let hops = 0;
  while (pending.length > 0) {
    const reference = localReferenceOf(node);
    if (reference !== undefined && hops < 32) {
      const target = walk(root, segmentsOf(reference));
      if (target === undefined) break;
      node = target;
      hops += 1;
      continue;
    }
    const next = child(node, pending[0] as string);
    if (next === undefined) break;
    node = next;
    pending.shift();
  }
  const offset = node.range?.[0];
  if (offset === undefined) return undefined;
  const position = lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

function walk(root: Node, segments: string[]): Node | undefined {
  let node: Node | undefined = root;
  for (const segment of segments) {
    if (node === undefined) return undefined;
    node = child(node, segment);
  }
  return node;
}

function child(node: Node, segment: string): Node | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === segment) return (pair.value as Node | null) ?? (pair.key as Node);
    }
    return undefined;
  }
  if (isSeq(node)) {
    const index = Number(segment);
    if (!Number.isInteger(index)) return undefined;
    return (node.items[index] as Node | undefined) ?? undefined;
  }
  return undefined;
}

function localReferenceOf(node: Node): string | undefined {
  if (!isMap(node)) return undefined;
  const reference = child(node, '$ref');
  if (reference && isScalar(reference) && typeof reference.value === 'string') {
    return reference.value.startsWith('#') ? reference.value : undefined;
  }
  return undefined;
}
