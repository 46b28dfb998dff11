import type { components } from '../generated/admin.js';

/** RFC 9457 problem details, as the control plane answers every refusal. */
export type ControlPlaneProblem = components['schemas']['Problem'];

/**
 * A control-plane call that did not get its documented success status. The message carries the
 * status and the problem's `detail`, so a failing test says why standin refused without a second
 * look at the logs.
 */
export class ControlPlaneError extends Error {
  override readonly name = 'ControlPlaneError';

  constructor(
    /** The operation of specs/control-plane/admin.yaml that was called, e.g. `moveClock`. */
    readonly operationId: string,
    readonly status: number,
    /** The problem's `detail`, or the body as text when the answer was not problem+json. */
    readonly detail: string,
    /** The whole problem+json answer, when it was one. */
    readonly problem: ControlPlaneProblem | undefined,
  ) {
    super(`control plane ${operationId} answered ${status}: ${detail}`);
  }

  /** Reads the body openapi-fetch parsed (JSON when it could, else text) for the message. */
  static fromAnswer(operationId: string, status: number, body: unknown): ControlPlaneError {
    if (isProblem(body)) return new ControlPlaneError(operationId, status, body.detail, body);
    const detail =
      typeof body === 'string' ? body : body === undefined ? '(no body)' : JSON.stringify(body);
    return new ControlPlaneError(operationId, status, detail, undefined);
  }
}

function isProblem(body: unknown): body is ControlPlaneProblem {
  if (typeof body !== 'object' || body === null) return false;
  const { type, title, status, detail } = body as Record<string, unknown>;
  return (
    typeof type === 'string' &&
    typeof title === 'string' &&
    typeof status === 'number' &&
    typeof detail === 'string'
  );
}
