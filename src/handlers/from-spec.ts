/**
 * A handler's way to say "answer this one as if I were not here": the spec's example, or a value
 * generated from its schema, exactly as an operation without a handler answers. `standin init`
 * writes every stub as `() => fromSpec()`, so a generated module serves like the bare spec until a
 * handler is edited.
 *
 * It throws (its type is `never`), so a stub type-checks against any operation's typed result.
 * The mark is a registered symbol, not a class identity: a module may import `standin` from another
 * copy of the package than the one serving it (a global `npx standin` and a local install).
 */
const ANSWER_FROM_SPEC = Symbol.for('standin.answerFromSpec');

class AnswerFromSpec extends Error {
  readonly [ANSWER_FROM_SPEC] = true;
  constructor() {
    super('fromSpec(): answered from the spec');
    this.name = 'AnswerFromSpec';
  }
}

/** Answer from the spec (`return fromSpec()` or `() => fromSpec()` in a handler). */
export function fromSpec(): never {
  throw new AnswerFromSpec();
}

/** Whether what a handler threw is `fromSpec()`'s request, from any copy of standin. */
export function asksForSpecAnswer(thrown: unknown): boolean {
  return (
    typeof thrown === 'object' &&
    thrown !== null &&
    (thrown as { [ANSWER_FROM_SPEC]?: unknown })[ANSWER_FROM_SPEC] === true
  );
}
