import type { Vendor } from '../engine/compile-vendor.js';
import { coverageField, type Observations } from '../engine/observations.js';

/** One operation, and how many times each status it documents was served. */
export interface OperationCoverage {
  vendor: string;
  operationId: string;
  method: string;
  path: string;
  statuses: Array<{ status: string; served: number }>;
}

/** Coverage of every documented status of every vendor operation, summed over the namespaces given. */
export async function coverageOf(
  vendors: readonly Vendor[],
  observations: Observations,
  namespaces: readonly string[],
): Promise<OperationCoverage[]> {
  const served = new Map<string, number>();
  for (const namespace of namespaces) {
    for (const [field, count] of await observations.served(namespace))
      served.set(field, (served.get(field) ?? 0) + count);
  }
  return vendors.flatMap((vendor) =>
    vendor.operations.map((operation) => ({
      vendor: vendor.name,
      operationId: operation.operationId,
      method: operation.method,
      path: vendor.mountPath + operation.template,
      statuses: [...operation.responses.byKey.values()].map((definition) => ({
        status: definition.statusKey,
        served:
          served.get(coverageField(vendor.name, operation.operationId, definition.statusKey)) ?? 0,
      })),
    })),
  );
}

/** The coverage as Markdown for `--coverage-report`: what was never exercised first. */
export function coverageMarkdown(coverage: readonly OperationCoverage[]): string {
  const rows = coverage.flatMap((operation) =>
    operation.statuses.map((status) => ({
      ...operation,
      status: status.status,
      served: status.served,
    })),
  );
  const never = rows.filter((row) => row.served === 0);
  const exercised = rows.filter((row) => row.served > 0);
  const table = (list: typeof rows): string[] => [
    '| vendor | operation | method and path | status | served |',
    '| --- | --- | --- | --- | ---: |',
    ...list.map(
      (row) =>
        `| ${row.vendor} | \`${row.operationId}\` | \`${row.method} ${row.path}\` | ${row.status} | ${row.served} |`,
    ),
  ];
  return [
    '# standin coverage',
    '',
    `${exercised.length} of ${rows.length} documented operation statuses were served at least once.`,
    '',
    `## Never exercised (${never.length})`,
    '',
    ...(never.length > 0 ? table(never) : ['Every documented status was served.']),
    '',
    `## Exercised (${exercised.length})`,
    '',
    ...(exercised.length > 0 ? table(exercised) : ['Nothing was served.']),
    '',
  ].join('\n');
}
