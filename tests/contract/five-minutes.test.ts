import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { killChild, startChild } from '../support/children.js';
import { finished, listeningUrl, ROOT } from '../support/cli.js';
import { installedProject } from '../support/installed-project.js';
import { freePort } from '../support/free-port.js';

/**
 * The README section "Your own API in five minutes", followed literally: its code blocks are read
 * from README.md and run in
 * order in a fresh project where standin is installed (node_modules/standin is this checkout):
 * `npx standin` is dist/cli.js, the one `ts` block is written to the file the text before it names,
 * a block of plain text is what the command before it prints, `# ...` under a curl is its answer.
 * The only liberty: the port, a free one (STANDIN_PORT) instead of 4010 in the commands and URLs.
 */
const HEADING = '## Your own API in five minutes';
const BUILT_CLI = path.join(ROOT, 'dist', 'cli.js');
const EXAMPLE_MODULE = path.join(ROOT, 'examples', 'petstore', 'petstore', 'index.ts');
const DOCUMENTED_PORT = '4010';

interface Block {
  language: string;
  code: string;
  /** The text between the previous block and this one. */
  before: string;
}

/** The section of README.md. */
async function sectionText(): Promise<string> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${HEADING}\n`);
  assert.notEqual(start, -1, `README.md has the section "${HEADING}"`);
  const rest = readme.slice(start + 1);
  const end = rest.indexOf('\n## ', HEADING.length);
  return end === -1 ? rest : rest.slice(0, end + 1);
}

function blocksOf(section: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  let previousEnd = 0;
  for (let match = fence.exec(section); match !== null; match = fence.exec(section)) {
    blocks.push({
      language: match[1] ?? '',
      code: match[2] ?? '',
      before: section.slice(previousEnd, match.index),
    });
    previousEnd = match.index + match[0].length;
  }
  return blocks;
}

/** A shell line's words: bare, 'single-quoted' or "double-quoted" (no escapes needed here). */
function wordsOf(line: string): string[] {
  const words: string[] = [];
  const word = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let match = word.exec(line); match !== null; match = word.exec(line))
    words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

interface Curl {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

function curlOf(words: readonly string[]): Curl {
  const curl: Curl = { method: 'GET', url: '', headers: {} };
  for (let index = 1; index < words.length; index += 1) {
    const word = words[index] ?? '';
    if (word === '-s') continue;
    const value = words[index + 1] ?? '';
    if (word === '-X') curl.method = value;
    else if (word === '-H') {
      const colon = value.indexOf(':');
      curl.headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
    } else if (word === '-d') {
      curl.body = value;
      if (curl.method === 'GET') curl.method = 'POST';
    } else if (word.startsWith('http')) {
      curl.url = word;
      continue;
    } else assert.fail(`the test does not know curl's ${word}`);
    index += 1;
  }
  return curl;
}

let project = '';
let port = 0;
const servers: ChildProcess[] = [];

before(async () => {
  project = await installedProject('five-minutes');
  await copyFile(
    path.join(ROOT, 'examples', 'petstore', 'petstore.yaml'),
    path.join(project, 'petstore.yaml'),
  );
  port = await freePort();
});

after(async () => {
  await Promise.all(servers.map((server) => killChild(server)));
  if (project !== '') await rm(project, { recursive: true, force: true });
});

const childEnvironment = (): NodeJS.ProcessEnv => ({
  ...process.env,
  STANDIN_PORT: String(port),
  // A test runner the section starts reports on its own stdout, not to this one.
  NODE_TEST_CONTEXT: undefined,
});

const withPort = (text: string): string =>
  text.replaceAll(`127.0.0.1:${DOCUMENTED_PORT}`, `127.0.0.1:${port}`);

test('the section, followed literally, ends with a fake that remembers', async (context) => {
  const section = await sectionText();
  const blocks = blocksOf(section);
  assert.ok(blocks.length >= 4, `the section has its code blocks:\n${section}`);
  let lastOutput: string | undefined;
  let initStartedAt: number | undefined;
  let firstStatefulAnswerAt: number | undefined;
  const ran: string[] = [];

  for (const block of blocks) {
    if (block.language === 'ts') {
      const named = [...block.before.matchAll(/`([\w./-]+\.ts)`/g)].map((match) => match[1]);
      const file = named.at(-1);
      assert.ok(file, `the text before the ts block names its file:\n${block.before}`);
      // The README's module is the example's: one cannot drift from the other.
      assert.equal(block.code, await readFile(EXAMPLE_MODULE, 'utf8'));
      await writeFile(path.join(project, file), block.code);
      ran.push(`wrote ${file}`);
      continue;
    }
    if (block.language === '') {
      assert.equal(block.code, lastOutput, 'the command before prints what the section shows');
      continue;
    }
    assert.equal(block.language, 'sh', `an sh block, a ts block or output:\n${block.code}`);
    const lines = block.code.split('\n');
    for (let index = 0; index < lines.length; index += 1) {
      const line = lines[index]?.trim() ?? '';
      if (line === '' || line.startsWith('#')) continue;
      const words = wordsOf(line);
      const expected = lines[index + 1]?.startsWith('# ') ? lines[index + 1]?.slice(2) : undefined;
      ran.push(line);
      if (words[0] === 'npx' && words[1] === 'standin' && words[2] === 'serve') {
        const server = startChild(process.execPath, [BUILT_CLI, ...words.slice(2)], {
          cwd: project,
          env: childEnvironment(),
        });
        servers.push(server);
        assert.equal(await listeningUrl(server), `http://127.0.0.1:${port}`);
      } else if (words[0] === 'npx' && words[1] === 'standin') {
        if (words[2] === 'init') initStartedAt ??= performance.now();
        const child = startChild(process.execPath, [BUILT_CLI, ...words.slice(2)], {
          cwd: project,
          env: childEnvironment(),
        });
        const outcome = await finished(child);
        assert.equal(outcome.code, 0, `${line}\n${outcome.stdout}${outcome.stderr}`);
        lastOutput = outcome.stdout;
      } else if (words[0] === 'node') {
        const child = startChild(process.execPath, words.slice(1), {
          cwd: project,
          env: childEnvironment(),
        });
        const outcome = await finished(child, { timeoutMs: 120_000 });
        assert.equal(outcome.code, 0, `${line}\n${outcome.stdout}${outcome.stderr}`);
        lastOutput = outcome.stdout;
      } else if (words[0] === 'curl') {
        const curl = curlOf(words);
        const response = await fetch(withPort(curl.url), {
          method: curl.method,
          headers: curl.headers,
          ...(curl.body !== undefined ? { body: curl.body } : {}),
        });
        const answer = await response.text();
        lastOutput = answer;
        if (expected !== undefined)
          assert.deepEqual(JSON.parse(answer), JSON.parse(expected), `${line}\n${answer}`);
        // A read that finds what a write stored: the first stateful answer.
        if (curl.method === 'GET' && response.ok && /\/pets\/pet-1$/.test(curl.url))
          firstStatefulAnswerAt ??= performance.now();
      } else {
        assert.fail(`the test does not know how to follow: ${line}`);
      }
    }
  }
  // The section did what it promises: init, the edit, serve, a stored pet read back, the test.
  assert.ok(
    ran.some((line) => line.startsWith('npx standin init')),
    ran.join('\n'),
  );
  assert.ok(
    ran.some((line) => line.startsWith('wrote petstore/index.ts')),
    ran.join('\n'),
  );
  assert.ok(
    ran.some((line) => line.startsWith('node --import tsx --test')),
    ran.join('\n'),
  );
  assert.ok(initStartedAt !== undefined && firstStatefulAnswerAt !== undefined, ran.join('\n'));
  context.diagnostic(
    `standin init to the first stateful answer: ${Math.round(firstStatefulAnswerAt - initStartedAt)} ms`,
  );
});
