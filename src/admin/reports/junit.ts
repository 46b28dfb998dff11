import { casesBySuite, type CiReport, type ReportCase } from './model.js';
import { xmlAttributes, xmlText } from './xml.js';

/**
 * The report as JUnit XML, the format CI systems (Jenkins, GitLab, GitHub's test-report actions,
 * Azure DevOps) read: `<testsuites>` with one `<testsuite>` per vendor, a `<testcase>` per case,
 * `<failure message type>` for a violation nobody expected and `<skipped>` for a status never
 * served. It follows the schema Jenkins' xUnit plugin reads (junit-10.xsd); the test checks each
 * report against tests/fixtures/junit.xsd with xmllint.
 */
export function junitXml(report: CiReport): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${xmlAttributes([
      ['name', report.tool],
      ['tests', report.summary.tests],
      ['failures', report.summary.failed],
      ['errors', 0],
      ['time', seconds(report.stoppedAt - report.startedAt)],
    ])}>`,
  ];
  for (const [suite, cases] of casesBySuite(report)) {
    lines.push(
      `  <testsuite ${xmlAttributes([
        ['name', suite],
        ['tests', cases.length],
        ['failures', cases.filter((item) => item.outcome === 'failed').length],
        ['errors', 0],
        ['skipped', cases.filter((item) => item.outcome === 'skipped').length],
        // The cases are facts about the run, not timed steps: the run's length is on <testsuites>.
        ['time', seconds(0)],
        ['timestamp', timestamp(report.startedAt)],
      ])}>`,
      ...cases.map((item) => testcase(item, report.tool)),
      '  </testsuite>',
    );
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function testcase(item: ReportCase, tool: string): string {
  const open = `    <testcase ${xmlAttributes([
    ['name', item.name],
    ['classname', `${tool}.${item.suite}`],
    ['time', seconds(0)],
  ])}`;
  const message = item.message ?? '';
  switch (item.outcome) {
    case 'failed':
      return [
        `${open}>`,
        `      <failure ${xmlAttributes([
          ['message', message],
          // `request-violation`: the client broke the spec; `response-violation`: a handler did.
          ['type', `${item.direction ?? 'request'}-violation`],
        ])}>${xmlText((item.details ?? []).join('\n'))}</failure>`,
        '    </testcase>',
      ].join('\n');
    case 'skipped':
      return `${open}>\n      <skipped ${xmlAttributes([['message', message]])}/>\n    </testcase>`;
    case 'passed':
      // A passed case has no message element; an expected violation's note goes to its output.
      return item.message === undefined
        ? `${open}/>`
        : `${open}>\n      <system-out>${xmlText(item.message)}</system-out>\n    </testcase>`;
  }
}

function seconds(milliseconds: number): string {
  return (Math.max(0, milliseconds) / 1000).toFixed(3);
}

/** ISO 8601 without a zone, as Ant writes it (some readers refuse one); always UTC here. */
function timestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19);
}
