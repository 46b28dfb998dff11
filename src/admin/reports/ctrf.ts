import type { CiReport, ReportCase } from './model.js';

/**
 * The report as CTRF (Common Test Report Format, https://ctrf.io), the JSON many CI tools and
 * GitHub actions read: `{reportFormat, specVersion, results: {tool, summary, tests}}`. The test
 * validates each report against the schema the `ctrf` package ships.
 */
export function ctrfJson(report: CiReport): string {
  const document = {
    reportFormat: 'CTRF',
    specVersion: CTRF_SPEC_VERSION,
    timestamp: new Date(report.stoppedAt).toISOString(),
    generatedBy: report.tool,
    results: {
      tool: { name: report.tool },
      summary: {
        tests: report.summary.tests,
        passed: report.summary.passed,
        failed: report.summary.failed,
        skipped: report.summary.skipped,
        // standin's cases are never pending nor anything else: counts the schema requires.
        pending: 0,
        other: 0,
        suites: new Set(report.cases.map((item) => item.suite)).size,
        start: report.startedAt,
        stop: report.stoppedAt,
        duration: report.stoppedAt - report.startedAt,
      },
      tests: report.cases.map(ctrfTest),
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The version of the CTRF specification these documents follow. */
export const CTRF_SPEC_VERSION = '0.0.0';

function ctrfTest(item: ReportCase): Record<string, unknown> {
  return {
    name: item.name,
    status: item.outcome,
    // Nothing is timed per case: they are facts about the run (see the report model).
    duration: 0,
    suite: [item.suite],
    type: 'contract',
    tags: [item.kind],
    ...(item.message !== undefined ? { message: item.message } : {}),
    ...(item.details !== undefined && item.outcome === 'failed'
      ? { trace: item.details.join('\n') }
      : {}),
    extra: {
      kind: item.kind,
      vendor: item.vendor,
      operationId: item.operationId,
      method: item.method,
      path: item.path,
      status: item.status,
      ...(item.served !== undefined ? { served: item.served } : {}),
      ...(item.direction !== undefined ? { direction: item.direction } : {}),
      ...(item.kind === 'expected-violation' ? { expected: true } : {}),
    },
  };
}
