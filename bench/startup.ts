/**
 * Startup time: process start to the first answered request, for `standin serve` with the five
 * bundled specs, against a bare node:http server started the same way in the same run (the floor
 * any Node server pays). Runs are interleaved so machine noise falls on both alike; medians are
 * reported. Run with `npm run bench:startup` (it builds first: standin starts from dist/).
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const BARE_SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port) })`;

const subjects = {
  standin: [path.join(ROOT, 'dist', 'cli.js'), 'serve', '--port', '0', '--log', 'json'],
  'bare node:http': ['-e', BARE_SERVER],
} as const;
type Subject = keyof typeof subjects;

async function timeOnce(args: readonly string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no listening line in 30 s: ${seen}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = /listening on (http:\/\/[\d.:]+)/.exec(seen);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('close', (code) => reject(new Error(`exited ${code} before listening: ${seen}`)));
  });
  const response = await fetch(`${url}/`);
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  const ended = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGTERM');
  await ended;
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const samples: Record<Subject, number[]> = { standin: [], 'bare node:http': [] };
for (let run = 0; run < RUNS; run += 1) {
  for (const subject of Object.keys(subjects) as Subject[])
    samples[subject].push(await timeOnce(subjects[subject]));
}

const reference = median(samples['bare node:http']);
const rows = (Object.keys(subjects) as Subject[]).map((subject) => ({
  subject,
  runs: samples[subject].length,
  medianMs: Math.round(median(samples[subject])),
  minMs: Math.round(Math.min(...samples[subject])),
  maxMs: Math.round(Math.max(...samples[subject])),
  ratioToBareNode: Math.round((median(samples[subject]) / reference) * 100) / 100,
}));

const table = [
  '| subject | runs | median ms | min ms | max ms | x bare node:http |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.subject} | ${row.runs} | ${row.medianMs} | ${row.minMs} | ${row.maxMs} | ${row.ratioToBareNode} |`,
  ),
].join('\n');
process.stdout.write(
  `Startup: process start to first answered request (node ${process.version})\n\n${table}\n`,
);
await mkdir(path.join(ROOT, 'bench', 'results'), { recursive: true });
await writeFile(path.join(ROOT, 'bench', 'results', 'startup.md'), `${table}\n`);
await writeFile(
  path.join(ROOT, 'bench', 'results', 'startup.json'),
  `${JSON.stringify({ node: process.version, rows }, null, 2)}\n`,
);
