import { writeFile } from 'node:fs/promises';
import { ctrfJson } from './ctrf.js';
import { jsonReport } from './json.js';
import { junitXml } from './junit.js';
import type { CiReport } from './model.js';

/** `--report FORMAT=FILE`: which report files a CI job asked for, written when standin stops. */
const WRITERS = {
  junit: junitXml,
  ctrf: ctrfJson,
  json: jsonReport,
} as const satisfies Record<string, (report: CiReport) => string>;

export type ReportFormat = keyof typeof WRITERS;

export const REPORT_FORMATS = Object.keys(WRITERS) as ReportFormat[];

export interface ReportRequest {
  format: ReportFormat;
  file: string;
}

/** `junit=reports/standin.xml` → `{format: 'junit', file: 'reports/standin.xml'}`; throws on anything else. */
export function parseReportRequest(value: string): ReportRequest {
  const separator = value.indexOf('=');
  const format = separator < 0 ? value : value.slice(0, separator);
  const file = separator < 0 ? '' : value.slice(separator + 1);
  if (!isReportFormat(format)) {
    throw new Error(
      `"${format}" is not a report format; use ${REPORT_FORMATS.map((name) => `${name}=FILE`).join(', ')}`,
    );
  }
  if (file === '') throw new Error(`--report ${format} needs a file: ${format}=FILE`);
  return { format, file };
}

/**
 * Writes every report asked for. One that cannot be written (a missing directory) does not keep
 * the others from being written; then the call rejects, naming each file that was not.
 */
export async function writeReports(
  requests: readonly ReportRequest[],
  report: CiReport,
): Promise<void> {
  const failures: string[] = [];
  for (const request of requests) {
    try {
      await writeFile(request.file, WRITERS[request.format](report));
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      failures.push(`the ${request.format} report could not be written to ${request.file}: ${why}`);
    }
  }
  if (failures.length > 0) throw new Error(failures.join('; '));
}

function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(WRITERS, name);
}
