import type { Violation } from '../engine/observations.js';

/**
 * A readable report of contract violations, for a CI log (`--fail-on-violation`): the unexpected
 * ones grouped by vendor and operation, each saying who broke the contract, where and how; then,
 * in a short section of their own, the ones negative tests declared (they fail no run, but a
 * reader should see that they happened).
 */
export function violationReport(violations: readonly Violation[]): string {
  const unexpected = violations.filter((violation) => !violation.expected);
  const expected = violations.filter((violation) => violation.expected);
  const lines = unexpected.length > 0 ? unexpectedSection(unexpected) : [noneLine(expected.length)];
  if (expected.length > 0) lines.push('', ...expectedSection(expected));
  return `${lines.join('\n')}\n`;
}

/** A violation as one line: `POST /path -> 400: path projectId: must match ... [format] (spec ...)`. */
export function describeViolation(violation: Violation): string {
  const rule = violation.keyword ? ` [${violation.keyword}]` : '';
  const spec = violation.schemaPath ? ` (spec ${violation.schemaPath})` : '';
  const namespace = violation.namespace === 'default' ? '' : ` namespace ${violation.namespace}`;
  return `${violation.method} ${violation.path} -> ${violation.status}${namespace}: ${whereOf(violation)}: ${violation.message}${rule}${spec}`;
}

/** Where the check looked: `path projectId`, `body /api_key`, `security X-API-Key`. */
export function whereOf(violation: Violation): string {
  return [violation.in, violation.name, violation.pointer]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
}

/** Who broke the contract, as a reader of the report says it. */
export function whoBroke(violation: Violation): string {
  return violation.direction === 'request' ? 'the client sent' : 'standin would have answered';
}

function noneLine(expectedCount: number): string {
  if (expectedCount === 0) return 'standin: no contract violations.';
  return `standin: no contract violations, besides ${plural(expectedCount, 'expected one')}.`;
}

function unexpectedSection(violations: readonly Violation[]): string[] {
  const groups = new Map<string, Violation[]>();
  for (const violation of violations) {
    const key = `${violation.vendor ?? '(no vendor)'} ${violation.operationId ?? `${violation.method} ${violation.path}`}`;
    const group = groups.get(key);
    if (group) group.push(violation);
    else groups.set(key, [violation]);
  }
  const lines = [`standin: ${plural(violations.length, 'contract violation')}`];
  for (const [group, list] of groups) {
    lines.push('', group);
    for (const violation of list)
      lines.push(`  - ${whoBroke(violation)} ${describeViolation(violation)}`);
  }
  return lines;
}

/** One line each: they are there to be seen, not investigated. */
function expectedSection(violations: readonly Violation[]): string[] {
  return [
    `standin: ${plural(violations.length, 'expected violation')} (declared by negative tests; these fail no run)`,
    ...violations.map((violation) => {
      const operation = violation.operationId ?? '(no operation)';
      const reason = violation.expectedReason ? ` (expected: ${violation.expectedReason})` : '';
      return `  - ${violation.vendor ?? '(no vendor)'} ${operation}: ${violation.method} ${violation.path} -> ${violation.status}: ${whereOf(violation)}: ${violation.message}${reason}`;
    }),
  ];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
