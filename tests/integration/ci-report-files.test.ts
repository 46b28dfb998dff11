import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { schema as ctrfSchema } from 'ctrf';
import { finished, listeningUrl, runCli, startCli } from '../support/cli.js';
import { ENVIRONMENT_ID, FIXTURE } from '../support/standin.js';
import { JUNIT_XSD, skipUnlessXmllint, validateXml, xpath } from '../support/xmllint.js';

/**
 * `serve --report junit=FILE --report ctrf=FILE --report json=FILE`: the files a CI system reads
 * after the run. Each is read by a real reader: the JUnit XML by xmllint against the JUnit schema,
 * the CTRF JSON by ajv against the schema the `ctrf` package ships.
 */

const skip = skipUnlessXmllint();

interface OperationCoverage {
  operationId: string;
  statuses: Array<{ status: string; served: number }>;
}

interface CtrfTest {
  name: string;
  status: string;
  message?: string;
  trace?: string;
  suite?: string[];
  extra?: Record<string, unknown>;
}

interface CtrfDocument {
  reportFormat: string;
  results: {
    tool: { name: string };
    summary: Record<'tests' | 'passed' | 'failed' | 'skipped' | 'start' | 'stop', number>;
    tests: CtrfTest[];
  };
}

interface JsonReport {
  format: string;
  summary: Record<'tests' | 'passed' | 'failed' | 'skipped', number>;
  cases: Array<{ kind: string; outcome: string; name: string; message?: string }>;
}

/** The reason a negative test gives: characters XML must escape, and more. */
const REASON = `no credential on purpose <&"'>`;

async function serve(args: string[]): Promise<{
  url: string;
  stop: () => Promise<Awaited<ReturnType<typeof finished>>>;
}> {
  const child = startCli(['--port', '0', '--log', 'json', ...args]);
  const ended = finished(child);
  const url = await listeningUrl(child);
  // standin says it listens a moment before its signal handlers are in place; once it has
  // answered a request they are, and a SIGTERM stops it with its reports.
  await fetch(`${url}/`);
  return {
    url,
    stop: () => {
      child.kill('SIGTERM');
      return ended;
    },
  };
}

function ctrfValidator(): (document: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(ctrfSchema);
  return (document) =>
    validate(document)
      ? []
      : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

test(
  '--report junit, ctrf and json: a case per operation and status, a failure per unexpected violation, expected ones passed; each valid for its reader',
  { skip },
  async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'standin-reports-'));
    const files = {
      junit: path.join(directory, 'standin.xml'),
      ctrf: path.join(directory, 'ctrf.json'),
      json: path.join(directory, 'standin.json'),
    };
    try {
      const run = await serve([
        '--report',
        `junit=${files.junit}`,
        '--report',
        `ctrf=${files.ctrf}`,
        '--report',
        `json=${files.json}`,
      ]);
      // Served: one status of one operation.
      const rotated = await fetch(`${run.url}/projectdiscovery/v1/user/apikey/rotate`, {
        method: 'POST',
        headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
      });
      assert.equal(rotated.status, 200);
      // Broken by the client, unexpected: one failure (the project id is not a UUID).
      const broken = await fetch(
        `${run.url}/gorules/api/projects/not-a-uuid/environments/${ENVIRONMENT_ID}/regenerate-token`,
        { method: 'POST', headers: { authorization: `Bearer ${FIXTURE.gorules.alice}` } },
      );
      assert.equal(broken.status, 400);
      // Broken on purpose: a negative test without a credential, declared.
      const negative = await fetch(`${run.url}/thousandeyes/v7/api-tokens`, {
        method: 'POST',
        headers: { 'x-standin-expect-violation': REASON },
      });
      assert.equal(negative.status, 401);
      const coverage = (await (
        await fetch(`${run.url}/__admin/coverage`)
      ).json()) as OperationCoverage[];
      const statusCases = coverage.flatMap((operation) => operation.statuses);
      const neverServed = statusCases.filter((status) => status.served === 0).length;
      const outcome = await run.stop();
      assert.equal(outcome.code, 0, outcome.stderr);

      // JUnit XML: valid against the JUnit schema, as xmllint reads it.
      const validation = await validateXml(files.junit, JUNIT_XSD);
      assert.ok(validation.valid, validation.output);
      assert.equal(await xpath(files.junit, 'count(//testcase)'), String(statusCases.length + 2));
      assert.equal(
        await xpath(files.junit, 'string(/testsuites/@tests)'),
        String(statusCases.length + 2),
      );
      assert.equal(await xpath(files.junit, 'string(/testsuites/@failures)'), '1');
      assert.equal(await xpath(files.junit, 'count(//testcase/skipped)'), String(neverServed));
      assert.equal(await xpath(files.junit, 'sum(//testsuite/@skipped)'), String(neverServed));
      assert.equal(
        await xpath(
          files.junit,
          "count(//testcase[@name='post-v1-user-apikey-rotate 200'][not(*)])",
        ),
        '1',
        'the served status is a passed case',
      );
      assert.equal(
        await xpath(files.junit, "count(//testcase[@name='getCurrentUser 200']/skipped)"),
        '1',
        'a status never served is skipped',
      );
      assert.equal(
        await xpath(files.junit, 'string(//testcase[failure]/@classname)'),
        'standin.gorules',
      );
      assert.equal(await xpath(files.junit, 'string(//failure/@type)'), 'request-violation');
      assert.match(
        await xpath(files.junit, 'string(//failure/@message)'),
        /^the client sent POST \/gorules\/api\/projects\/not-a-uuid\/\S+ -> 400: path projectId: must match format "uuid" \[format\] \(spec #\/paths\//,
      );
      const failureText = await xpath(files.junit, 'string(//failure)');
      assert.match(failureText, /^where: path projectId$/m);
      assert.match(failureText, /^spec: #\/paths\/.*\/format$/m);
      const expectedNote = await xpath(
        files.junit,
        "string(//testcase[contains(@name, 'expected request violation')]/system-out)",
      );
      assert.ok(
        expectedNote.startsWith(`expected (${REASON}): POST /thousandeyes/v7/api-tokens -> 401`),
        expectedNote,
      );

      // CTRF: valid against the schema the ctrf package ships, and telling the same story.
      const ctrf = JSON.parse(await readFile(files.ctrf, 'utf8')) as CtrfDocument;
      assert.deepEqual(ctrfValidator()(ctrf), []);
      assert.equal(ctrf.reportFormat, 'CTRF');
      assert.equal(ctrf.results.tool.name, 'standin');
      const { summary } = ctrf.results;
      assert.deepEqual(
        { tests: summary.tests, failed: summary.failed, skipped: summary.skipped },
        { tests: statusCases.length + 2, failed: 1, skipped: neverServed },
      );
      assert.equal(summary.passed, summary.tests - summary.failed - summary.skipped);
      assert.ok(summary.start <= summary.stop);
      const failed = ctrf.results.tests.filter((item) => item.status === 'failed');
      assert.equal(failed.length, 1);
      assert.deepEqual(failed[0]?.suite, ['gorules']);
      assert.match(failed[0]?.trace ?? '', /^spec: #\/paths\//m);
      const expected = ctrf.results.tests.find((item) => item.extra?.expected === true);
      assert.equal(expected?.status, 'passed');
      assert.ok(expected?.message?.includes(REASON));

      // standin's own JSON: the same counts, the same cases.
      const json = JSON.parse(await readFile(files.json, 'utf8')) as JsonReport;
      assert.equal(json.format, 'standin-report');
      assert.deepEqual(json.summary, {
        tests: summary.tests,
        passed: summary.passed,
        failed: summary.failed,
        skipped: summary.skipped,
      });
      assert.deepEqual(
        json.cases
          .filter((item) => item.kind !== 'status')
          .map((item) => [item.kind, item.outcome]),
        [
          ['violation', 'failed'],
          ['expected-violation', 'passed'],
        ],
      );

      // No credential in any report: operation ids, statuses, paths and messages only.
      const secrets = Object.values(FIXTURE).flatMap((tokens) => Object.values(tokens));
      for (const file of Object.values(files)) {
        const text = await readFile(file, 'utf8');
        for (const secret of secrets)
          assert.ok(!text.includes(secret), `${file} holds no credential`);
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  },
);

test(
  '--report junit: an operationId and a message with <&"\' and control characters still make valid XML, read back as written',
  { skip },
  async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'standin-hostile-'));
    // YAML escapes: \x01 in the operationId, \x07 in a pattern the violation's message quotes.
    await writeFile(
      path.join(directory, 'odd.yaml'),
      [
        'openapi: 3.0.3',
        "info: { title: Odd, version: '1' }",
        'servers: [{ url: /v1 }]',
        'paths:',
        '  /things/{code}:',
        '    get:',
        `      operationId: "odd<&\\"'\\x01op"`,
        '      parameters:',
        '        - { name: code, in: path, required: true, schema: { type: string, pattern: "^<&\\"\'\\x07$" } }',
        '      responses:',
        "        '200': { description: ok, content: { application/json: { schema: { type: object } } } }",
        '',
      ].join('\n'),
    );
    const report = path.join(directory, 'odd.xml');
    const ctrfFile = path.join(directory, 'odd.json');
    try {
      const run = await serve([
        '--specs',
        directory,
        '--report',
        `junit=${report}`,
        '--report',
        `ctrf=${ctrfFile}`,
      ]);
      // Where the one spec is served is the vendor list's business (GET /), not this test's.
      const listing = (await (await fetch(`${run.url}/`)).json()) as {
        vendors: Array<{ baseUrl: string }>;
      };
      const baseUrl = listing.vendors[0]?.baseUrl ?? '';
      assert.equal((await fetch(`${baseUrl}/things/plain`)).status, 400);
      assert.equal((await run.stop()).code, 0);

      const validation = await validateXml(report, JUNIT_XSD);
      assert.ok(validation.valid, validation.output);
      // XML cannot carry U+0001 or U+0007 at all: they are shown as \u0001 and \u0007.
      assert.equal(
        await xpath(report, 'string(//testcase[not(failure)]/@name)'),
        `odd<&"'\\u0001op 200`,
      );
      assert.equal(
        await xpath(report, 'string(//testcase[failure]/@name)'),
        `odd<&"'\\u0001op request violation: path code`,
      );
      assert.match(
        await xpath(report, 'string(//failure/@message)'),
        /: path code: must match pattern "\^<&"'\\u0007\$" \[pattern\]/,
      );
      assert.match(
        await xpath(report, 'string(//failure)'),
        /^what: must match pattern "\^<&"'\\u0007\$"/m,
      );
      // JSON carries every character: the CTRF names are the operationId itself.
      const ctrf = JSON.parse(await readFile(ctrfFile, 'utf8')) as CtrfDocument;
      assert.deepEqual(ctrfValidator()(ctrf), []);
      assert.ok(ctrf.results.tests.some((item) => item.name === `odd<&"'\u0001op 200`));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  },
);

test('--report: an unknown format or a missing file is a usage error (exit 2) before anything starts', async () => {
  const unknown = await runCli(['--port', '0', '--report', 'xml=out.xml']);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /"xml" is not a report format; use junit=FILE, ctrf=FILE, json=FILE/,
  );
  const noFile = await runCli(['--port', '0', '--report', 'junit']);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /--report junit needs a file: junit=FILE/);
});

test('--report: a file that cannot be written fails the run (exit 1) and names it; the others are still written', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-unwritable-'));
  const unwritable = path.join(directory, 'missing-directory', 'standin.xml');
  const written = path.join(directory, 'standin.json');
  try {
    const run = await serve(['--report', `junit=${unwritable}`, '--report', `json=${written}`]);
    const outcome = await run.stop();
    assert.equal(outcome.code, 1);
    assert.ok(
      outcome.stderr.includes(`the junit report could not be written to ${unwritable}`),
      outcome.stderr,
    );
    const json = JSON.parse(await readFile(written, 'utf8')) as JsonReport;
    assert.equal(json.summary.failed, 0);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
