import type { Violation } from '../engine/observations.js';

/**
 * A readable report of contract violations, for a CI log (`--fail-on-violation`): grouped by
 * vendor and operation, each saying who broke the contract, where and how.
 */
export function violationReport(violations: readonly Violation[]): string {
  if (violations.length === 0) return 'standin: no contract violations.\n';
  const groups = new Map<string, Violation[]>();
  for (const violation of violations) {
    const key = `${violation.vendor ?? '(no vendor)'} ${violation.operationId ?? `${violation.method} ${violation.path}`}`;
    groups.set(key, [...(groups.get(key) ?? []), violation]);
  }
  const lines = [
    `standin: ${violations.length} contract violation${violations.length === 1 ? '' : 's'}`,
  ];
  for (const [group, list] of groups) {
    lines.push('', group);
    for (const violation of list) {
      const who =
        violation.direction === 'request' ? 'the client sent' : 'standin would have answered';
      const where = [violation.in, violation.name, violation.pointer]
        .filter((part) => part !== undefined && part !== '')
        .join(' ');
      const rule = violation.keyword ? ` [${violation.keyword}]` : '';
      const spec = violation.schemaPath ? ` (spec ${violation.schemaPath})` : '';
      const namespace =
        violation.namespace === 'default' ? '' : ` namespace ${violation.namespace}`;
      lines.push(
        `  - ${who} ${violation.method} ${violation.path} -> ${violation.status}${namespace}: ${where}: ${violation.message}${rule}${spec}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
