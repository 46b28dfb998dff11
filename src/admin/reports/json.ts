import type { CiReport } from './model.js';

/**
 * The report in standin's own JSON, for scripts: the shared model as it is (times in epoch
 * milliseconds and ISO 8601), under a format name and version a reader can check.
 */
export function jsonReport(report: CiReport): string {
  const document = {
    format: 'standin-report',
    version: 1,
    tool: report.tool,
    startedAt: new Date(report.startedAt).toISOString(),
    stoppedAt: new Date(report.stoppedAt).toISOString(),
    durationMs: report.stoppedAt - report.startedAt,
    summary: report.summary,
    cases: report.cases,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
