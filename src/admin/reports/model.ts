import type { Violation } from '../../engine/observations.js';
import type { OperationCoverage } from '../coverage.js';
import { describeViolation, whereOf, whoBroke } from '../violation-report.js';

/**
 * What a CI system shows after a run, in one shape every format (JUnit XML, CTRF, JSON) is written
 * from, so that they can never disagree:
 * - one case per operation and documented status: passed when it was served, skipped when never;
 * - one failed case per violation nobody expected, saying where, what and the spec's rule;
 * - one passed case per violation a negative test declared, noted as expected.
 * Only what the journal and the checks know goes in: operation ids, statuses, paths and failure
 * messages. Never a header's value, a query string or a body.
 */
export interface CiReport {
  tool: string;
  /** Epoch milliseconds: when standin started serving, and when it stopped. */
  startedAt: number;
  stoppedAt: number;
  cases: ReportCase[];
  summary: ReportSummary;
}

export type CaseOutcome = 'passed' | 'failed' | 'skipped';

/** `status`: an operation's documented status; the others come from violations. */
export type CaseKind = 'status' | 'violation' | 'expected-violation';

export interface ReportCase {
  kind: CaseKind;
  outcome: CaseOutcome;
  /** The vendor: what CI systems group cases by. */
  suite: string;
  /** Stable from one run to the next, so that a CI system can follow a case over time. */
  name: string;
  vendor: string | null;
  operationId: string | null;
  method: string;
  path: string;
  /** The documented status key (`201`, `4XX`, `default`) or the status a violation answered. */
  status: string;
  /** One line: why it failed or was skipped, or the note on a passed expected violation. */
  message?: string;
  /** For a violation: the lines of where, what and the spec's rule. */
  details?: string[];
  /** For a status: how many times it was served. */
  served?: number;
  /** For a violation: who broke the contract, the client (`request`) or a handler (`response`). */
  direction?: 'request' | 'response';
}

export interface ReportSummary {
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
}

export interface RunTimes {
  startedAt: number;
  stoppedAt: number;
}

const NO_VENDOR = '(no vendor)';

export function buildCiReport(
  coverage: readonly OperationCoverage[],
  violations: readonly Violation[],
  times: RunTimes,
): CiReport {
  const cases = [...coverage.flatMap(statusCases), ...violations.map(violationCase)];
  return {
    tool: 'standin',
    startedAt: times.startedAt,
    stoppedAt: Math.max(times.startedAt, times.stoppedAt),
    cases,
    summary: {
      tests: cases.length,
      passed: cases.filter((item) => item.outcome === 'passed').length,
      failed: cases.filter((item) => item.outcome === 'failed').length,
      skipped: cases.filter((item) => item.outcome === 'skipped').length,
    },
  };
}

/** The cases grouped by suite, in the order they first appear: what JUnit's testsuites are. */
export function casesBySuite(report: CiReport): Map<string, ReportCase[]> {
  const suites = new Map<string, ReportCase[]>();
  for (const item of report.cases) {
    const suite = suites.get(item.suite);
    if (suite) suite.push(item);
    else suites.set(item.suite, [item]);
  }
  return suites;
}

function statusCases(operation: OperationCoverage): ReportCase[] {
  return operation.statuses.map(({ status, served }) => ({
    kind: 'status',
    outcome: served > 0 ? 'passed' : 'skipped',
    suite: operation.vendor,
    name: `${operation.operationId} ${status}`,
    vendor: operation.vendor,
    operationId: operation.operationId,
    method: operation.method,
    path: operation.path,
    status,
    served,
    ...(served > 0
      ? {}
      : {
          message: `never served: no test made ${operation.method} ${operation.path} answer ${status}`,
        }),
  }));
}

function violationCase(violation: Violation): ReportCase {
  const operation = violation.operationId ?? `${violation.method} ${violation.path}`;
  const where = whereOf(violation);
  const details = [
    `${whoBroke(violation)} ${violation.method} ${violation.path} -> ${violation.status}`,
    `where: ${where}`,
    `what: ${violation.message}${violation.keyword ? ` [${violation.keyword}]` : ''}`,
    ...(violation.schemaPath ? [`spec: ${violation.schemaPath}`] : []),
    `namespace: ${violation.namespace}`,
    `time: ${violation.time}`,
  ];
  const common = {
    suite: violation.vendor ?? NO_VENDOR,
    vendor: violation.vendor,
    operationId: violation.operationId,
    method: violation.method,
    path: violation.path,
    status: String(violation.status),
    direction: violation.direction,
    details,
  };
  if (violation.expected) {
    const reason = violation.expectedReason ?? 'declared by the test';
    return {
      ...common,
      kind: 'expected-violation',
      outcome: 'passed',
      name: `${operation} expected ${violation.direction} violation: ${where}`,
      message: `expected (${reason}): ${describeViolation(violation)}`,
    };
  }
  return {
    ...common,
    kind: 'violation',
    outcome: 'failed',
    name: `${operation} ${violation.direction} violation: ${where}`,
    message: `${whoBroke(violation)} ${describeViolation(violation)}`,
  };
}
