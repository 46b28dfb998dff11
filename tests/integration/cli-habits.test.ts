import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { killChild, startChild, waitForOutput } from '../support/children.js';
import { eventually } from '../support/eventually.js';
import { finished, listeningUrl, ROOT, runCli, startCli, type CliOutcome } from '../support/cli.js';
import { freePort } from '../support/free-port.js';
import { FIXTURE } from '../support/standin.js';

/** What people who come from Prism type, and what a CI job needs around a server it starts. */

const SPECS = path.join(ROOT, 'specs');
const BROKEN_SPEC = path.join(ROOT, 'tests', 'fixtures', 'broken', 'missing-description.yaml');
const BUILT_CLI = path.join(ROOT, 'dist', 'cli.js');
const TE_ALICE = { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` };

const scratch = await mkdtemp(path.join(tmpdir(), 'standin-cli-habits-'));
after(() => rm(scratch, { recursive: true, force: true }));

interface ListedVendor {
  name: string;
  baseUrl: string;
}

/** The vendors a running standin serves, and where: read from `GET /`, wherever they are mounted. */
async function servedVendors(url: string): Promise<Map<string, string>> {
  const listing = (await (await fetch(`${url}/`)).json()) as { vendors: ListedVendor[] };
  return new Map(listing.vendors.map((vendor) => [vendor.name, vendor.baseUrl]));
}

/**
 * Runs `use` with a started `standin ...`, which is stopped however `use` ends (a failed assertion
 * included), and answers what it printed and how it ended, once it has.
 */
async function withStandin(
  args: readonly string[],
  use: (child: ChildProcess, url: string) => Promise<void> | void,
  { url: urlOf = listeningUrl }: { url?: (child: ChildProcess) => Promise<string> } = {},
): Promise<CliOutcome> {
  const child = startCli(args);
  const ended = finished(child);
  try {
    await use(child, await urlOf(child));
  } catch (error) {
    await killChild(child);
    throw error;
  }
  // `use` stopped it; one that does not end is killed, and the wait fails, after 30 s.
  return ended;
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

test('standin --version and -V print the version from package.json, and exit 0', async () => {
  const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  for (const flag of ['--version', '-V']) {
    const outcome = await runCli([flag]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.stdout, `${manifest.version}\n`, flag);
  }
});

test('standin serve takes specs as arguments, as --specs does', async () => {
  const args = [
    'serve',
    path.join(SPECS, 'thousandeyes.yaml'),
    path.join(SPECS, 'projectdiscovery.yaml'),
    '--port',
    '0',
    '--log',
    'json',
  ];
  const outcome = await withStandin(args, async (child, url) => {
    const vendors = await servedVendors(url);
    assert.deepEqual([...vendors.keys()].sort(), ['projectdiscovery', 'thousandeyes']);
    const answer = await fetch(`${vendors.get('thousandeyes') ?? ''}/users/current`, {
      headers: TE_ALICE,
    });
    assert.equal(answer.status, 200);
    child.kill('SIGTERM');
  });
  assert.equal(outcome.code, 0, outcome.stderr);
});

test("standin mock spec.yaml -p PORT: Prism's words start the same server", async () => {
  const port = await freePort();
  const args = ['mock', path.join(SPECS, 'projectdiscovery.yaml'), '-p', String(port)];
  const outcome = await withStandin(args, async (child, url) => {
    assert.equal(url, `http://127.0.0.1:${port}`);
    const vendors = await servedVendors(url);
    assert.deepEqual([...vendors.keys()], ['projectdiscovery']);
    const rotated = await fetch(`${vendors.get('projectdiscovery') ?? ''}/v1/user/apikey/rotate`, {
      method: 'POST',
      headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
    });
    assert.equal(rotated.status, 200);
    child.kill('SIGTERM');
  });
  assert.equal(outcome.code, 0, outcome.stderr);
});

test("-d/--dynamic answers as if every request sent Prefer: dynamic=true; a request's own Prefer wins", async () => {
  for (const flag of ['-d', '--dynamic']) {
    const outcome = await withStandin(
      ['--port', '0', '--log', 'json', flag],
      async (child, url) => {
        const rotate = `${(await servedVendors(url)).get('thousandeyes') ?? ''}/api-tokens`;
        const credentials = async (): Promise<unknown> =>
          (await fetch(`${url}/__admin/credentials?vendor=thousandeyes`)).json();
        const before = await credentials();

        // Stateful, the second rotation while two tokens are valid is a 409; generated, never.
        const bodies = new Set<string>();
        for (let index = 0; index < 4; index += 1) {
          const answer = await fetch(rotate, { method: 'POST', headers: TE_ALICE });
          assert.equal(answer.status, 201, `${flag}: a generated answer passes the response check`);
          bodies.add(await answer.text());
        }
        assert.ok(bodies.size > 1, `${flag}: each body is generated afresh`);
        assert.deepEqual(await credentials(), before, `${flag}: no state changed`);

        // The control plane is never generated: it still answers from its handlers.
        const clock = await fetch(`${url}/__admin/clock`);
        assert.equal(clock.status, 200);
        assert.equal(typeof ((await clock.json()) as { now: unknown }).now, 'string');

        // A request that says dynamic=false gets the handler: a real rotation, then the 409.
        const handled = { method: 'POST', headers: { ...TE_ALICE, prefer: 'dynamic=false' } };
        const real = await fetch(rotate, handled);
        assert.equal(real.status, 201);
        const { bearerToken } = (await real.json()) as { bearerToken: string };
        assert.ok(JSON.stringify(await credentials()).includes(bearerToken), 'the new token works');
        assert.equal((await fetch(rotate, handled)).status, 409);
        // And Prefer: code=... still chooses the status.
        const conflict = await fetch(rotate, {
          method: 'POST',
          headers: { ...TE_ALICE, prefer: 'code=409' },
        });
        assert.equal(conflict.status, 409);
        child.kill('SIGTERM');
      },
    );
    assert.equal(outcome.code, 0, outcome.stderr);
  }
});

test('without --dynamic, requests are answered by the handlers (the rotation is real)', async () => {
  const outcome = await withStandin(['--port', '0', '--log', 'json'], async (child, url) => {
    const rotate = `${(await servedVendors(url)).get('thousandeyes') ?? ''}/api-tokens`;
    assert.equal((await fetch(rotate, { method: 'POST', headers: TE_ALICE })).status, 201);
    assert.equal((await fetch(rotate, { method: 'POST', headers: TE_ALICE })).status, 409);
    child.kill('SIGTERM');
  });
  assert.equal(outcome.code, 0, outcome.stderr);
});

test('an unknown flag is one line with a suggestion and where the help is, and exits 2', async () => {
  const cases: Array<{ args: string[]; line: string }> = [
    {
      args: ['--prot', '4010'],
      line: "error: unknown option '--prot' (Did you mean --port?) — see standin serve --help",
    },
    {
      args: ['mock', 'spec.yaml', '--dynamc'],
      line: "error: unknown option '--dynamc' (Did you mean --dynamic?) — see standin serve --help",
    },
    {
      args: ['wait', 'http://127.0.0.1:1', '--timout', '3'],
      line: "error: unknown option '--timout' (Did you mean --timeout?) — see standin wait --help",
    },
    {
      args: ['validate', '--strict'],
      line: "error: unknown option '--strict' — see standin validate --help",
    },
  ];
  for (const { args, line } of cases) {
    const outcome = await runCli(args);
    assert.equal(outcome.code, 2, args.join(' '));
    assert.equal(outcome.stderr, `${line}\n`, args.join(' '));
    assert.equal(outcome.stdout, '', `${args.join(' ')}: no help on a usage error`);
  }
});

test('a mistyped command is not taken for a spec file', async () => {
  const outcome = await runCli(['valdate']);
  assert.equal(outcome.code, 2);
  assert.match(
    outcome.stderr,
    /"valdate" is neither a command \(serve, validate, init, wait\) nor a spec file/,
  );
});

test('standin validate of one spec says where serve puts it: its server path, on the root', async () => {
  const outcome = await runCli(['validate', path.join(ROOT, 'specs', 'thousandeyes.yaml')]);
  assert.equal(outcome.code, 0);
  assert.match(outcome.stdout, /2 operations, served at \/v7\)/);
});

test('a stop is announced: "standin stopped" in pretty mode, a JSON line in json mode', async () => {
  const pretty = await withStandin(
    ['--port', '0'],
    (child) => {
      child.kill('SIGINT');
    },
    {
      // The banner comes once the signals stop standin gracefully; before, a signal ends it at once.
      url: (child) =>
        waitForOutput(child, /Ready-to-use credentials/, {
          timeoutMs: 30_000,
          what: 'credentials banner',
        }).then(() => ''),
    },
  );
  assert.equal(pretty.code, 0, pretty.stderr);
  assert.match(lines(pretty.stdout).at(-1) ?? '', /INFO: standin stopped$/);

  // Through the control plane this time, and with a report: the line comes after it, with the code.
  const json = await withStandin(
    ['--port', '0', '--log', 'json', '--fail-on-violation'],
    async (_child, url) => {
      assert.equal((await fetch(`${url}/__admin/shutdown`, { method: 'POST' })).status, 202);
    },
  );
  assert.equal(json.code, 0, json.stderr);
  const last = JSON.parse(lines(json.stdout).at(-1) ?? '{}') as Record<string, unknown>;
  assert.deepEqual(
    { msg: last.msg, exitCode: last.exitCode, level: last.level },
    { msg: 'standin stopped', exitCode: 0, level: 30 },
  );

  // Silent prints nothing, not even its address: standin wait tells when it listens.
  const port = await freePort();
  const silent = await withStandin(
    ['--port', String(port), '--log', 'silent'],
    (child) => {
      child.kill('SIGTERM');
    },
    {
      url: async (child) => {
        const args = ['wait', `http://127.0.0.1:${port}`, '--pid', String(child.pid)];
        const ready = await runCli(args);
        assert.equal(ready.code, 0, ready.stderr);
        return `http://127.0.0.1:${port}`;
      },
    },
  );
  assert.equal(silent.code, 0, silent.stderr);
  assert.equal(silent.stdout, '');
});

test('serve --ready-file: the URL is in the file once listening, and the file is gone after a stop', async () => {
  for (const how of ['SIGTERM', 'shutdown'] as const) {
    const folder = await mkdtemp(path.join(scratch, 'ready-'));
    const file = path.join(folder, 'standin.url');
    const args = ['--port', '0', '--log', 'json', '--ready-file', file];
    const outcome = await withStandin(args, async (child, url) => {
      // Written just after the "listening" line: wait for it, boundedly.
      const written = await eventually(
        () => readFile(file, 'utf8').catch(() => ''),
        (text) => text !== '',
        { tries: 150 },
      );
      assert.equal(written, `${url}\n`);
      assert.deepEqual(await readdir(folder), ['standin.url'], 'no temporary file beside it');
      if (how === 'SIGTERM') child.kill('SIGTERM');
      else assert.equal((await fetch(`${url}/__admin/shutdown`, { method: 'POST' })).status, 202);
    });
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(existsSync(file), false, `${how}: the ready file is removed`);
    assert.deepEqual(await readdir(folder), [], `${how}: nothing is left in the folder`);
  }
});

test('serve --ready-file in a folder that does not exist stops the start with exit 2', async () => {
  const file = path.join(scratch, 'no-such-folder', 'standin.url');
  const outcome = await runCli(['--port', '0', '--log', 'json', '--ready-file', file]);
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.match(outcome.stderr, /--ready-file .*standin\.url cannot be written/);
});

/** Runs `standin wait ...` and how long it took. */
async function timedWait(args: readonly string[]): Promise<CliOutcome & { seconds: number }> {
  const started = Date.now();
  const outcome = await runCli(['wait', ...args]);
  return { ...outcome, seconds: (Date.now() - started) / 1000 };
}

test('standin wait URL: exit 0 once /__health answers 2xx', async () => {
  await withStandin(['--port', '0', '--log', 'json'], async (child, url) => {
    const outcome = await timedWait([url, '--pid', String(child.pid)]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(
      outcome.stdout,
      new RegExp(`^standin wait: ${url}/__health answered 200 after [\\d.]+ s\\n$`),
    );
    // A URL with a path is polled as given: a 404 is not ready, and the timeout says what came.
    const notFound = await timedWait([`${url}/nothing-here`, '--timeout', '1']);
    assert.equal(notFound.code, 1);
    assert.equal(
      notFound.stderr,
      `standin wait: ${url}/nothing-here did not answer 2xx within 1 s (last: HTTP 404)\n`,
    );
    child.kill('SIGTERM');
  });
});

test('standin wait: nothing listening, it gives up at --timeout with one line and exit 1', async () => {
  const port = await freePort();
  const outcome = await timedWait([`127.0.0.1:${port}`, '--timeout', '1.5']);
  assert.equal(outcome.code, 1);
  assert.equal(
    outcome.stderr,
    `standin wait: http://127.0.0.1:${port}/__health did not answer 2xx within 1.5 s (last: ECONNREFUSED)\n`,
  );
  assert.ok(outcome.seconds >= 1.4, `it waited the whole timeout (${outcome.seconds} s)`);
  assert.ok(outcome.seconds < 15, `and not much more (${outcome.seconds} s)`);
});

test('standin wait --pid: a standin that exits on a bad spec ends the wait at once, not at the timeout', async () => {
  const port = await freePort();
  const server = startCli(['--port', String(port), '--specs', BROKEN_SPEC]);
  const serverEnded = finished(server);
  const pid = String(server.pid);
  const outcome = await timedWait([`http://127.0.0.1:${port}`, '--timeout', '120', '--pid', pid]);
  assert.equal((await serverEnded).code, 2);
  assert.equal(outcome.code, 1);
  assert.match(
    outcome.stderr,
    new RegExp(
      `^standin wait: process ${pid} has ended, and http://127\\.0\\.0\\.1:${port}/__health never answered 2xx \\(last: [^)]+\\)\\n$`,
    ),
  );
  assert.ok(outcome.seconds < 30, `ended long before the 120 s timeout (${outcome.seconds} s)`);
});

test('standin wait --pid: a process that ended but was not reaped (a zombie) counts as ended', async () => {
  // `exec` makes standin wait the parent of `sleep`, and node never reaps a child it did not
  // spawn: once sleep exits it stays a zombie, which still answers kill(pid, 0).
  const port = await freePort();
  const script = `sleep 0.2 & exec "${process.execPath}" "${BUILT_CLI}" wait http://127.0.0.1:${port} --timeout 120 --pid $!`;
  const started = Date.now();
  const outcome = await finished(startChild('bash', ['-c', script], { env: process.env }));
  const seconds = (Date.now() - started) / 1000;
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.match(outcome.stderr, /^standin wait: process \d+ has ended/);
  assert.ok(seconds < 30, `ended long before the 120 s timeout (${seconds} s)`);
});

test('standin wait: unusable arguments are usage errors (exit 2), each in one line', async () => {
  for (const [args, message] of [
    [['http://127.0.0.1:1', '--timeout', 'soon'], /--timeout takes seconds above 0/],
    [['http://127.0.0.1:1', '--timeout', '0'], /--timeout takes seconds above 0/],
    [['http://127.0.0.1:1', '--pid', 'abc'], /--pid takes a process id/],
    [['ftp://127.0.0.1:1'], /wait takes an http or https URL/],
    [[], /missing required argument 'url'/],
  ] as const) {
    const outcome = await runCli(['wait', ...args]);
    assert.equal(outcome.code, 2, args.join(' '));
    assert.match(outcome.stderr, message);
    assert.equal(lines(outcome.stderr).length, 1, `${args.join(' ')}: one line`);
  }
});
