import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { exited, isRunning, killChild, printedBy, startChild } from '../support/children.js';
import { eventually } from '../support/eventually.js';
import { call, startStandin, type TestServer } from '../support/standin.js';

/**
 * `--watch`: a spec, a module file and the state file are reloaded without a restart. Each test
 * has a folder of its own (a spec, `shop.yaml`, and its module in a `--handlers` folder) and a
 * server watching it.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The spec: a counter read and bumped; `extra` adds operations (YAML under `paths:`). */
function spec(extra = ''): string {
  return `openapi: 3.0.3
info: { title: Shop, version: '1' }
servers: [{ url: /api }]
paths:
  /count:
    get:
      operationId: getCount
      responses:
        '200':
          description: the counter
          content:
            application/json:
              schema:
                type: object
                required: [count, label]
                properties: { count: { type: integer }, label: { type: string } }
  /bump:
    post:
      operationId: bump
      responses:
        '200':
          description: the counter, bumped
          content:
            application/json:
              schema:
                type: object
                required: [count, label]
                properties: { count: { type: integer }, label: { type: string } }
${extra}`;
}

const PING = `  /ping:
    get:
      operationId: ping
      responses:
        '200':
          description: pong
          content:
            application/json:
              schema: { type: object, required: [pong], properties: { pong: { type: boolean } } }
              example: { pong: true }
`;

/** The module: a counter state, labelled answers; `stateProperties` changes the state schema. */
function module(
  label: string,
  stateProperties = '{ count: { type: "integer" } }',
  answerAfterMs = 0,
): string {
  return `interface Counter { count: number }
interface Context { state: { read(): Promise<Counter>; update<R>(decide: (state: Counter) => { value?: Counter; result: R }): Promise<R> } }
export default {
  state: {
    schema: { type: "object", required: ["count"], properties: ${stateProperties} },
    initial: (): Counter => ({ count: 0 }),
  },
  handlers: {
    getCount: async ({ state }: Context) => (await new Promise((done) => setTimeout(done, ${answerAfterMs})), { status: 200, body: { count: (await state.read()).count, label: ${JSON.stringify(label)} } }),
    bump: ({ state }: Context) =>
      state.update((current) => ({
        value: { count: current.count + 1 },
        result: { status: 200, body: { count: current.count + 1, label: ${JSON.stringify(label)} } },
      })),
  },
};
`;
}

interface Shop {
  folder: string;
  specFile: string;
  moduleFile: string;
  server: TestServer;
  base: string;
  dispose(): Promise<void>;
}

async function shop(options: { state?: string } = {}): Promise<Shop> {
  const folder = await mkdtemp(path.join(tmpdir(), 'standin-watch-'));
  const specFile = path.join(folder, 'shop.yaml');
  const handlers = path.join(folder, 'handlers');
  const moduleFile = path.join(handlers, 'shop', 'index.ts');
  await mkdir(path.dirname(moduleFile), { recursive: true });
  await writeFile(specFile, spec());
  await writeFile(moduleFile, module('one'));
  let stateFile: string | undefined;
  if (options.state !== undefined) {
    stateFile = path.join(folder, 'state.json');
    await writeFile(stateFile, options.state);
  }
  const server = await startStandin({
    specs: [specFile],
    handlers,
    watch: true,
    ...(stateFile === undefined ? {} : { state: stateFile }),
  }).catch(async (error: unknown) => {
    await rm(folder, { recursive: true, force: true });
    throw error;
  });
  return {
    folder,
    specFile,
    moduleFile,
    server,
    base: `${server.url}/api`,
    async dispose() {
      await server.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** The log lines of reloads, by their message. */
function messages(server: TestServer): string[] {
  return server.logLines().map((line) => (typeof line.msg === 'string' ? line.msg : ''));
}

async function count(base: string): Promise<{ count: number; label: string }> {
  const answer = await call(`${base}/count`);
  assert.equal(answer.status, 200, answer.text);
  return answer.json as { count: number; label: string };
}

const RELOAD = { tries: 150, everyMs: 20 };

test('a spec edit adds an operation, which then answers, and the state survives it', async () => {
  const served = await shop();
  try {
    assert.equal((await call(`${served.base}/ping`)).status, 404);
    assert.equal((await call(`${served.base}/bump`, { method: 'POST' })).status, 200);
    await writeFile(served.specFile, spec(PING));
    const ping = await eventually(
      () => call(`${served.base}/ping`),
      (answer) => answer.status === 200,
      RELOAD,
    );
    assert.equal(ping.status, 200, ping.text);
    assert.deepEqual(ping.json, { pong: true });
    // An unrelated edit keeps the state: the counter bumped before is still there.
    assert.deepEqual(await count(served.base), { count: 1, label: 'one' });
    assert.ok(
      messages(served.server).some((message) =>
        /^reloaded after a change to .*shop\.yaml/.test(message),
      ),
    );
  } finally {
    await served.dispose();
  }
});

test('a spec saved as editors do (a new file renamed over it) is reloaded, and so is the next save', async () => {
  const served = await shop();
  try {
    const save = async (text: string): Promise<void> => {
      const temporary = `${served.specFile}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, served.specFile);
    };
    await save(spec(PING));
    const ping = await eventually(
      () => call(`${served.base}/ping`),
      (answer) => answer.status === 200,
      RELOAD,
    );
    assert.equal(ping.status, 200, ping.text);
    // The watch followed the file that was replaced: it must be armed again on the new one.
    await save(spec());
    const gone = await eventually(
      () => call(`${served.base}/ping`),
      (answer) => answer.status === 404,
      RELOAD,
    );
    assert.equal(gone.status, 404, gone.text);
  } finally {
    await served.dispose();
  }
});

test('a handler file edit changes the answer, and keeps the state when its schema is the same', async () => {
  const served = await shop();
  try {
    await call(`${served.base}/bump`, { method: 'POST' });
    await writeFile(served.moduleFile, module('two'));
    const after = await eventually(
      () => count(served.base),
      (body) => body.label === 'two',
      RELOAD,
    );
    assert.deepEqual(after, { count: 1, label: 'two' });
  } finally {
    await served.dispose();
  }
});

test('a request in flight during a reload finishes on the old version; the next one gets the new', async () => {
  const served = await shop();
  try {
    await writeFile(served.moduleFile, module('slow', undefined, 1500));
    await eventually(
      () => count(served.base),
      (body) => body.label === 'slow',
      RELOAD,
    );
    const inFlight = count(served.base);
    await writeFile(served.moduleFile, module('quick'));
    const next = await eventually(
      () => count(served.base),
      (body) => body.label === 'quick',
      RELOAD,
    );
    assert.equal(next.label, 'quick');
    assert.equal((await inFlight).label, 'slow');
  } finally {
    await served.dispose();
  }
});

test('a state schema change resets that vendor in every namespace, and the log says so', async () => {
  const served = await shop();
  try {
    await call(`${served.base}/bump`, { method: 'POST' });
    await call(`${served.base}/bump`, {
      method: 'POST',
      headers: { 'x-standin-namespace': 'worker-2' },
    });
    await writeFile(
      served.moduleFile,
      module('three', '{ count: { type: "integer" }, note: { type: "string" } }'),
    );
    const after = await eventually(
      () => count(served.base),
      (body) => body.label === 'three',
      RELOAD,
    );
    assert.deepEqual(after, { count: 0, label: 'three' });
    const other = await call(`${served.base}/count`, {
      headers: { 'x-standin-namespace': 'worker-2' },
    });
    assert.deepEqual(other.json, { count: 0, label: 'three' });
    const resets = messages(served.server).filter((message) =>
      message.includes('state schema changed'),
    );
    assert.equal(resets.length, 1, resets.join('\n'));
    assert.match(resets[0] ?? '', /^shop: /);
  } finally {
    await served.dispose();
  }
});

test('a changed state file reseeds the states, and the log names it', async () => {
  const served = await shop({ state: JSON.stringify({ shop: { count: 5 } }) });
  try {
    assert.equal((await count(served.base)).count, 5);
    await writeFile(path.join(served.folder, 'state.json'), JSON.stringify({ shop: { count: 7 } }));
    const after = await eventually(
      () => count(served.base),
      (body) => body.count === 7,
      RELOAD,
    );
    assert.equal(after.count, 7);
    assert.ok(messages(served.server).some((message) => message.includes('state.json changed')));
  } finally {
    await served.dispose();
  }
});

test('a broken spec is logged with its file and place, and the last good version keeps serving', async () => {
  const served = await shop();
  try {
    await call(`${served.base}/bump`, { method: 'POST' });
    // A response without its required description, at a place the log must name.
    await writeFile(served.specFile, spec(PING.replace('          description: pong\n', '')));
    const failures = await eventually(
      () =>
        messages(served.server).filter((message) => message.startsWith('reload after a change')),
      (found) => found.length > 0,
      RELOAD,
    );
    assert.equal(failures.length, 1, messages(served.server).join('\n'));
    assert.ok(failures[0]?.includes(served.specFile), failures[0]);
    assert.match(failures[0] ?? '', /\/paths\/~1ping\/get\/responses\/200|line \d+/);
    assert.match(failures[0] ?? '', /last good version/);
    assert.equal((await call(`${served.base}/ping`)).status, 404);
    assert.deepEqual(await count(served.base), { count: 1, label: 'one' });
    // Fixed, it is served.
    await writeFile(served.specFile, spec(PING));
    const ping = await eventually(
      () => call(`${served.base}/ping`),
      (answer) => answer.status === 200,
      RELOAD,
    );
    assert.equal(ping.status, 200, ping.text);
  } finally {
    await served.dispose();
  }
});

test('a handler file that fails to import is logged with its file, and the last good version keeps serving', async () => {
  const served = await shop();
  try {
    await writeFile(served.moduleFile, `${module('four')}\nexport const broken = ;\n`);
    const failures = await eventually(
      () =>
        messages(served.server).filter((message) => message.startsWith('reload after a change')),
      (found) => found.length > 0,
      RELOAD,
    );
    assert.equal(failures.length, 1, messages(served.server).join('\n'));
    assert.ok(failures[0]?.includes(served.moduleFile), failures[0]);
    assert.deepEqual(await count(served.base), { count: 0, label: 'one' });
    // Fixed, it is served (a failed import must not stay cached under the URL of the next try).
    await writeFile(served.moduleFile, module('five'));
    const fixed = await eventually(
      () => count(served.base),
      (body) => body.label === 'five',
      RELOAD,
    );
    assert.deepEqual(fixed, { count: 0, label: 'five' });
  } finally {
    await served.dispose();
  }
});

test('closing the server stops every watcher: the process then exits by itself', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'standin-watch-exit-'));
  try {
    const specFile = path.join(folder, 'shop.yaml');
    const moduleFile = path.join(folder, 'handlers', 'shop', 'index.ts');
    await mkdir(path.dirname(moduleFile), { recursive: true });
    await writeFile(specFile, spec());
    await writeFile(moduleFile, module('one'));
    const script = path.join(folder, 'serve-and-close.mts');
    const entry = pathToFileURL(path.join(ROOT, 'src', 'index.ts')).href;
    await writeFile(
      script,
      `import { createServer } from ${JSON.stringify(entry)};
const server = await createServer({ port: 0, log: 'silent', watch: true, specs: [${JSON.stringify(specFile)}], handlers: ${JSON.stringify(path.dirname(path.dirname(moduleFile)))} });
const answer = await fetch(server.url + '/api/count');
console.log('answered', answer.status);
await server.close();
console.log('closed');
`,
    );
    const child = startChild(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      env: process.env,
    });
    try {
      // The wait is cancelled once the child is gone: a pending timer would hold this process too.
      const waiting = new AbortController();
      const gone = await Promise.race([
        exited(child).then(() => true),
        sleep(20_000, false, { signal: waiting.signal }).catch(() => false),
      ]);
      waiting.abort();
      assert.ok(gone, `still running after close: ${printedBy(child)}`);
      assert.match(printedBy(child), /answered 200\s+closed/);
    } finally {
      if (isRunning(child)) await killChild(child);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
