/**
 * Startup time: process start to the first answered request, for `standin serve` with the five
 * bundled specs, against a bare node:http server started the same way in the same run (the floor
 * any Node server pays). Runs are interleaved so machine noise falls on both alike; medians are
 * reported. `npm run bench:startup` runs it alone (it builds first: standin starts from dist/);
 * `npm run bench` includes it.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ROOT } from './servers.js';

const BARE_SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port) })`;

const subjects = {
  standin: [path.join(ROOT, 'dist', 'cli.js'), 'serve', '--port', '0', '--log', 'json'],
  'bare node:http': ['-e', BARE_SERVER],
} as const;
type Subject = keyof typeof subjects;

/** Process start to the first answered request of one `node <args>` that prints its URL. */
export async function timeOnce(args: readonly string[]): Promise<number> {
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

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface StartupResult {
  runs: number;
  standinMs: number;
  bareMs: number;
  samples: Record<Subject, number[]>;
}

export async function measureStartup(runs: number): Promise<StartupResult> {
  const samples: Record<Subject, number[]> = { standin: [], 'bare node:http': [] };
  for (let run = 0; run < runs; run += 1) {
    for (const subject of Object.keys(subjects) as Subject[])
      samples[subject].push(await timeOnce(subjects[subject]));
  }
  return {
    runs,
    standinMs: Math.round(median(samples.standin)),
    bareMs: Math.round(median(samples['bare node:http'])),
    samples,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await measureStartup(Number(process.env.BENCH_RUNS ?? 11));
  const rows = (Object.keys(subjects) as Subject[]).map((subject) => {
    const values = result.samples[subject];
    return `| ${subject} | ${values.length} | ${Math.round(median(values))} | ${Math.round(Math.min(...values))} | ${Math.round(Math.max(...values))} | ${(median(values) / result.bareMs).toFixed(2)} |`;
  });
  const table = [
    '| subject | runs | median ms | min ms | max ms | x bare node:http |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  process.stdout.write(
    `Startup: process start to first answered request (node ${process.version})\n\n${table}\n`,
  );
  await mkdir(path.join(ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(path.join(ROOT, 'bench', 'results', 'startup.md'), `${table}\n`);
  await writeFile(
    path.join(ROOT, 'bench', 'results', 'startup.json'),
    `${JSON.stringify(result, null, 2)}\n`,
  );
}
