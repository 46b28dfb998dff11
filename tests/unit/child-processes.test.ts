import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { isRunning, killChild, startChild, stopChild, waitForOutput } from '../support/children.js';
import { finished, listeningUrl, ROOT } from '../support/cli.js';

/**
 * No child process a test starts outlives the wait that gave up on it, nor the test process:
 * a replica that never said "listening" was once left running, and the run hung for 20 minutes.
 */

/** A child that says it starts, then never listens nor ends. */
const NEVER_LISTENS = `process.stdout.write('starting, and never listening\\n'); setInterval(() => {}, 60_000);`;

/** For a child's first line: generous, for a loaded machine. */
const FIRST_LINE = { timeoutMs: 30_000, what: 'its first line' };

function pidOf(child: { pid?: number | undefined }): number {
  if (child.pid === undefined) throw new Error('the child did not start');
  return child.pid;
}

/**
 * Whether the process is gone. A zombie is gone too: it is dead, and only waits for its new
 * parent (init, once the process that started it exited) to collect it, which some inits, this
 * sandbox's among them, do seconds later.
 */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ...": the command may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    // No /proc (not Linux): a live process was there a moment ago; not gone.
    return false;
  }
}

/** Polls until the process is gone, for at most `ms`; returns whether it is. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!isGone(pid) && performance.now() < deadline) await sleep(50);
  return isGone(pid);
}

test('a wait for "listening" that gives up kills the child, and its error says what it printed', async () => {
  const child = startChild(process.execPath, ['-e', NEVER_LISTENS]);
  const pid = pidOf(child);
  // The short timeout below starts once the child runs, however slowly this machine started it.
  await waitForOutput(child, /starting/, FIRST_LINE);

  await assert.rejects(listeningUrl(child, { timeoutMs: 500 }), (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.match(error.message, /no "listening on" line within 0\.5 s, so it was killed/);
    assert.match(error.message, /starting, and never listening/);
    return true;
  });
  assert.equal(child.signalCode, 'SIGKILL');
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the child is dead');
});

test('a child that ends before listening fails the wait at once, with its exit code and output', async () => {
  const child = startChild(process.execPath, [
    '-e',
    `console.error('no such spec: nowhere.yaml'); process.exit(2);`,
  ]);
  const started = performance.now();
  await assert.rejects(
    listeningUrl(child, { timeoutMs: 30_000 }),
    /ended \(exit code 2\) before "listening on" line; it printed:\nno such spec: nowhere\.yaml/,
  );
  assert.ok(performance.now() - started < 20_000, 'not after the timeout');
});

test('a CLI run that does not end in time is killed, and its error says what it printed', async () => {
  const child = startChild(process.execPath, ['-e', NEVER_LISTENS]);
  const pid = pidOf(child);
  await waitForOutput(child, /starting/, FIRST_LINE);
  await assert.rejects(
    finished(child, { timeoutMs: 500 }),
    /did not end within 0\.5 s, so it was killed; it printed:\nstarting, and never listening/,
  );
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the child is dead');
});

test('stopping a child that ignores SIGTERM ends it with SIGKILL after the grace', async () => {
  const child = startChild(process.execPath, [
    '-e',
    `process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 60_000);`,
  ]);
  const pid = pidOf(child);
  await waitForOutput(child, /ready/, FIRST_LINE);
  await stopChild(child, { graceMs: 500 });
  assert.equal(child.signalCode, 'SIGKILL');
  assert.equal(isRunning(child), false);
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
});

test('killing a child kills what it started too (nginx and its worker)', async () => {
  const child = startChild(process.execPath, [
    '-e',
    `const { spawn } = require('node:child_process');
     const worker = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
     console.log('worker ' + worker.pid);
     setInterval(() => {}, 60_000);`,
  ]);
  const [, workerPid] = await waitForOutput(child, /worker (\d+)/, FIRST_LINE);
  const worker = Number(workerPid);
  assert.equal(isGone(worker), false, 'the worker runs');
  await killChild(child);
  assert.ok(await goneWithin(worker, 10_000), `the worker ${worker} is gone`);
});

/**
 * A test process that started a child (through support/children.ts) and ends without stopping it,
 * in each way a test process ends: the grandchild must not survive it. The test process ends
 * when this test says (by a signal), once it has seen the grandchild run.
 */
const CHILDREN_MODULE = pathToFileURL(path.join(ROOT, 'tests', 'support', 'children.ts')).href;
const endings: Array<{
  how: string;
  /** Sent to the test process to end it. */
  signal: NodeJS.Signals;
  /** Run in the test process once its child started. */
  then: string;
  /** How it ends: 128 + the signal's number for a signal, as a shell reports it. */
  code: number;
}> = [
  {
    how: 'exits',
    signal: 'SIGUSR2',
    then: `process.on('SIGUSR2', () => process.exit(0));`,
    code: 0,
  },
  {
    how: 'crashes',
    signal: 'SIGUSR2',
    then: `process.on('SIGUSR2', () => { throw new Error('a test crashed'); });`,
    code: 1,
  },
  { how: 'is interrupted (SIGINT)', signal: 'SIGINT', then: '', code: 130 },
  { how: 'is terminated (SIGTERM, as by --test-timeout)', signal: 'SIGTERM', then: '', code: 143 },
  {
    how: 'is terminated while another SIGTERM listener would not end it (playwright’s)',
    signal: 'SIGTERM',
    then: `process.on('SIGTERM', () => {});`,
    code: 143,
  },
];

for (const { how, signal, then, code } of endings) {
  test(`a child left running is killed when the test process ${how}`, async () => {
    const testProcess = startChild(process.execPath, [
      ...['--import', 'tsx', '--input-type=module', '-e'],
      `import { startChild } from '${CHILDREN_MODULE}';
       const child = startChild(process.execPath, ['-e', 'setInterval(() => {}, 60_000)']);
       ${then}
       console.log('child ' + child.pid);`,
    ]);
    try {
      const [, childPid] = await waitForOutput(testProcess, /child (\d+)/, FIRST_LINE);
      const grandchild = Number(childPid);
      assert.equal(isGone(grandchild), false, 'the child runs while the test process does');
      const ended = finished(testProcess);
      testProcess.kill(signal);
      const outcome = await ended;
      assert.deepEqual({ code: outcome.code, signal: outcome.signal }, { code, signal: null });
      assert.ok(await goneWithin(grandchild, 10_000), `the child ${grandchild} is gone`);
    } finally {
      await killChild(testProcess);
    }
  });
}

test('a test file that hangs is ended by --test-timeout, and the child it started goes with it', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-hangs-'));
  const file = path.join(directory, 'hangs.test.ts');
  await writeFile(
    file,
    `import { test } from 'node:test';
     import { startChild } from '${CHILDREN_MODULE}';
     test('starts a child, then never ends', async () => {
       const child = startChild(process.execPath, ['-e', 'setInterval(() => {}, 60_000)']);
       console.log('child ' + child.pid);
       await new Promise(() => {});
     });`,
  );
  // Without the variable that tells node it runs a test file: this is a runner of its own.
  const environment = { ...process.env };
  delete environment.NODE_TEST_CONTEXT;
  const runner = startChild(
    process.execPath,
    [...['--import', 'tsx', '--test', '--test-reporter=tap', '--test-timeout=2000'], file],
    { cwd: ROOT, env: environment },
  );
  try {
    const outcome = await finished(runner);
    assert.equal(outcome.code, 1, outcome.stderr);
    assert.match(outcome.stdout, /test timed out after 2000ms/);
    const grandchild = Number(/child (\d+)/.exec(outcome.stdout)?.[1]);
    assert.ok(grandchild > 0, `the child's pid is printed:\n${outcome.stdout}`);
    assert.ok(await goneWithin(grandchild, 10_000), `the child ${grandchild} is gone`);
  } finally {
    await killChild(runner);
    await rm(directory, { recursive: true, force: true });
  }
});
