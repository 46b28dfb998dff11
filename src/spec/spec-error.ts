import { pointerLocator, type SourcePosition } from './locate-pointer.js';

/** One thing wrong with a spec, at one place. */
export interface SpecProblem {
  /** JSON pointer into the document, `#/paths/~1a/get`; absent when the text itself does not parse. */
  pointer?: string;
  line?: number;
  column?: number;
  message: string;
  /**
   * The pointer is a place in the OpenAPI 3 document converted from a Swagger 2.0 file, with no
   * clear counterpart in the file itself: it is named as such, and no line is given.
   */
  inConverted?: boolean;
}

/** Names a place of a converted document in the file it was converted from. */
export type PlaceInFile = (problem: SpecProblem) => SpecProblem;

/**
 * The files served converted, by path, with the text they were converted from. Problems found
 * after loading (schemas that cannot be compiled, engine/compile-vendor.ts) are reported through
 * `SpecError.at(file, source, ...)`, which finds here how to place them in the user's file. One
 * entry per file path, replaced at each load: it does not grow with reloads.
 */
const convertedFiles = new Map<string, { source: string; place: PlaceInFile }>();

/** Records (or, with no `place`, forgets) how the problems of `file` are placed in its text. */
export function registerConvertedFile(
  file: string,
  source: string,
  place: PlaceInFile | undefined,
): void {
  if (place === undefined) convertedFiles.delete(file);
  else convertedFiles.set(file, { source, place });
}

/** The last line of a strict refusal that `--lenient` would have served. */
export const LENIENT_HINT = 'serve it anyway with --lenient: these problems become warnings';

/**
 * A spec that cannot be served. Startup stops with exit code 2 and `format()` as the message, so a
 * user sees the file, the place (pointer and line) and what is wrong there.
 */
export class SpecError extends Error {
  constructor(
    readonly file: string,
    readonly problems: SpecProblem[],
    /** One more line for the reader, after the problems: what would serve the file anyway. */
    readonly hint?: string,
  ) {
    super(
      `${file}: ${problems.map(describeProblem).join('; ')}${hint !== undefined ? ` (${hint})` : ''}`,
    );
    this.name = 'SpecError';
  }

  /**
   * Places the problems in the source text, when it is at hand. For a file served converted (a
   * Swagger 2.0 document), the places in the converted document are first named in the file.
   */
  static at(file: string, source: string | undefined, problems: SpecProblem[]): SpecError {
    const converted = convertedFiles.get(file);
    const placed =
      converted !== undefined && converted.source === source
        ? problems.map(converted.place)
        : problems;
    return new SpecError(file, locateProblems(source, placed));
  }

  /** The same problems, with a hint line added at the end. */
  withHint(hint: string): SpecError {
    return new SpecError(this.file, this.problems, hint);
  }

  format(): string {
    const lines = this.problems.map((problem) => `  ${describeProblem(problem)}`);
    if (this.hint !== undefined) lines.push(`  ${this.hint}`);
    return [`invalid spec ${this.file}:`, ...lines].join('\n');
  }
}

/** Adds the line and column of each problem's pointer, found in the spec's own text. */
export function locateProblems(source: string | undefined, problems: SpecProblem[]): SpecProblem[] {
  let locate: ((pointer: string) => SourcePosition | undefined) | undefined;
  return problems.map((problem) => {
    if (
      problem.line !== undefined ||
      problem.pointer === undefined ||
      problem.inConverted === true ||
      source === undefined
    ) {
      return problem;
    }
    locate ??= pointerLocator(source);
    const position = locate(problem.pointer);
    return position ? { ...problem, line: position.line, column: position.column } : problem;
  });
}

/** `at #/info, line 1:1: the document has no info` (or the message alone when it has no place). */
export function describeProblem(problem: SpecProblem): string {
  const place = [
    problem.pointer !== undefined && problem.inConverted === true
      ? `${problem.pointer} of the document converted from Swagger 2.0`
      : problem.pointer,
    problem.line !== undefined
      ? `line ${problem.line}${problem.column !== undefined ? `:${problem.column}` : ''}`
      : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  return place ? `at ${place}: ${problem.message}` : problem.message;
}

/** A problem that did not stop the start (`--lenient`), as one log line naming the file. */
export function describeWarning(file: string, problem: SpecProblem): string {
  return `${file}: ${describeProblem(problem)}`;
}
