import { locatePointer } from './locate-pointer.js';

/** One thing wrong with a spec, at one place. */
export interface SpecProblem {
  /** JSON pointer into the document, `#/paths/~1a/get`; absent when the text itself does not parse. */
  pointer?: string;
  line?: number;
  column?: number;
  message: string;
}

/**
 * A spec that cannot be served. Startup stops with exit code 2 and `format()` as the message, so a
 * user sees the file, the place (pointer and line) and what is wrong there.
 */
export class SpecError extends Error {
  constructor(
    readonly file: string,
    readonly problems: SpecProblem[],
  ) {
    super(`${file}: ${problems.map(describeProblem).join('; ')}`);
    this.name = 'SpecError';
  }

  /** Places the problems in the source text, when it is at hand. */
  static at(file: string, source: string | undefined, problems: SpecProblem[]): SpecError {
    const located = problems.map((problem) => {
      if (problem.line !== undefined || problem.pointer === undefined || source === undefined) {
        return problem;
      }
      const position = locatePointer(source, problem.pointer);
      return position ? { ...problem, line: position.line, column: position.column } : problem;
    });
    return new SpecError(file, located);
  }

  format(): string {
    const lines = this.problems.map((problem) => `  ${describeProblem(problem)}`);
    return [`invalid spec ${this.file}:`, ...lines].join('\n');
  }
}

function describeProblem(problem: SpecProblem): string {
  const place = [
    problem.pointer,
    problem.line !== undefined
      ? `line ${problem.line}${problem.column !== undefined ? `:${problem.column}` : ''}`
      : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  return place ? `at ${place}: ${problem.message}` : problem.message;
}
