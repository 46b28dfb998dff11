import { ProblemError, problems } from '../engine/problem.js';

/**
 * A handler's refusal (no such user, a conflict, a token that died meanwhile), thrown and answered
 * by the engine in the vendor's documented format for the status, like the engine's own refusals.
 */
export function refuse(status: number, detail: string): ProblemError {
  return new ProblemError(problems.refused(status, detail));
}
