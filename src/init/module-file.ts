import type { SpecOperation } from './operations.js';

/**
 * The line `standin init --update` writes new stubs above. It sits at the end of the `handlers`
 * object of `index.ts`; everything else in the file is the user's, and never rewritten.
 */
export const NEW_STUBS_MARKER =
  '// standin init --update adds a stub above this line for each operation new in the spec.';

/** A property name as TypeScript reads it: bare when it is an identifier, quoted otherwise. */
export function propertyName(operationId: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(operationId)
    ? operationId
    : `'${operationId.replace(/'/g, "\\'")}'`;
}

/** One handler that answers from the spec until edited, with where it is served and what it does. */
export function stubFor(operation: SpecOperation, indent = '  '): string {
  const what = operation.summary !== undefined ? `: ${operation.summary}` : '';
  return (
    `${indent}/** ${operation.method} ${operation.path}${what} */\n` +
    `${indent}${propertyName(operation.operationId)}: () => fromSpec(),\n`
  );
}

/** `index.ts`: the module standin loads for the spec, a state to edit and one stub per operation. */
export function moduleFileFor(specName: string, operations: readonly SpecOperation[]): string {
  return `import { fromSpec, Type, type Static, type StateDefinition, type VendorModule } from 'standin';
import type { Handlers } from './types.js';

/**
 * The state standin keeps for ${specName} (per namespace, in memory or Redis): its schema, checked
 * at start, by --state and by PUT /__admin/state/${specName}, and the value it starts from.
 */
const State = Type.Object({});
type State = Static<typeof State>;
const state: StateDefinition<State> = { schema: State, initial: () => ({}) };

/**
 * One handler per operationId. \`fromSpec()\` answers from the spec (its example, or a value
 * generated from its schema) until you write the handler; every answer is checked against the spec,
 * and \`types.ts\` makes an undocumented status or body a type error.
 */
const handlers: Handlers<State> = {
${operations.map((operation) => stubFor(operation)).join('')}  ${NEW_STUBS_MARKER}
};

export default { state, handlers } satisfies VendorModule<State>;
`;
}

/** Whether the module already has a handler for this operation, in any of the ways one is written. */
function hasHandler(moduleText: string, operationId: string): boolean {
  const escaped = operationId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // `id: ...`, `'id': ...`, `"id": ...`, or a method `id(context) {`.
  return new RegExp(`(^|[\\s{,])(['"]?)${escaped}\\2\\s*[:(]`, 'm').test(moduleText);
}

export type StubUpdate =
  { ok: true; text: string; added: string[] } | { ok: false; reason: string };

/**
 * `--update`: the module with a stub for each operation it has no handler for, inserted above the
 * marker line; nothing else in the text changes, so an edited handler stays as it is.
 */
export function withNewStubs(moduleText: string, operations: readonly SpecOperation[]): StubUpdate {
  const markerAt = moduleText.indexOf(NEW_STUBS_MARKER);
  // Only the handlers object counts: a state property named like an operation is no handler.
  const handlersAt = markerAt === -1 ? -1 : moduleText.lastIndexOf('const handlers', markerAt);
  const region = markerAt === -1 ? moduleText : moduleText.slice(Math.max(handlersAt, 0), markerAt);
  const missing = operations.filter((operation) => !hasHandler(region, operation.operationId));
  if (missing.length === 0) return { ok: true, text: moduleText, added: [] };
  if (markerAt === -1)
    return {
      ok: false,
      reason: `its marker line is gone ("${NEW_STUBS_MARKER}"); add these handlers yourself: ${missing.map((operation) => operation.operationId).join(', ')}`,
    };
  const lineStart = moduleText.lastIndexOf('\n', markerAt) + 1;
  const indent = moduleText.slice(lineStart, markerAt);
  const stubs = missing.map((operation) => stubFor(operation, indent)).join('');
  return {
    ok: true,
    text: moduleText.slice(0, lineStart) + stubs + moduleText.slice(lineStart),
    added: missing.map((operation) => operation.operationId),
  };
}
