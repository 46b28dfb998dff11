/**
 * `npm run bench:profile`: standin under the stateful workload for a few seconds with
 * `--cpu-prof`, then the functions and packages that took the most CPU. For finding what stands
 * in the way of a goal; the profile is written to bench/results/.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, rm, mkdir } from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort, ROOT } from './servers.js';
import { ROTATE, rotationRequests, seedPrincipals } from './workload.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** How many principals the vendor's state holds (at least one per connection). */
const PRINCIPALS = Math.max(CONNECTIONS, Number(process.env.BENCH_PRINCIPALS ?? CONNECTIONS));
const directory = path.join(ROOT, 'bench', 'results', 'profile');
await rm(directory, { recursive: true, force: true });
await mkdir(directory, { recursive: true });
const port = await freePort();
const child = spawn(
  process.execPath,
  [
    '--cpu-prof',
    `--cpu-prof-dir=${directory}`,
    path.join(ROOT, 'dist', 'cli.js'),
    '--port',
    String(port),
    '--log',
    'json',
    '--body-limit',
    '16mb',
  ],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const url = `http://127.0.0.1:${port}`;
for (;;) {
  try {
    await (await fetch(url)).arrayBuffer();
    break;
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
// BENCH_PROFILE_PATH=cheap profiles the 401 path instead: no key at all.
const requests =
  process.env.BENCH_PROFILE_PATH === 'cheap'
    ? [{ method: 'POST' as const, path: ROTATE }]
    : rotationRequests(await seedPrincipals(url, PRINCIPALS));
const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests });
process.stdout.write(
  `${Math.round(result.requests.average)} requests/s, p99 ${result.latency.p99} ms, statuses ${JSON.stringify(result.statusCodeStats)}\n`,
);
const ended = new Promise((resolve) => child.on('close', resolve));
child.kill('SIGINT');
await ended;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = (await readdir(directory)).find((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const profile = JSON.parse(await readFile(path.join(directory, file), 'utf8')) as {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};
const self = new Map<number, number>();
profile.samples.forEach((id, index) =>
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)),
);
const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
const total = [...self.values()].reduce((sum, value) => sum + value, 0);
const place = (node: ProfileNode): string => {
  const where = node.callFrame.url
    .replace(/^.*\/node_modules\//, '')
    .replace(/^file:\/\/.*\/dist\//, 'dist/');
  return `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber}`;
};
const packageOf = (node: ProfileNode): string => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(node.callFrame.url);
  if (match?.[1]) return match[1];
  if (node.callFrame.url.includes('/dist/')) return 'standin';
  return node.callFrame.url.startsWith('node:')
    ? 'node core'
    : node.callFrame.functionName || '(native)';
};
const sum = (key: (node: ProfileNode) => string): Array<[string, number]> => {
  const totals = new Map<string, number>();
  for (const [id, time] of self) {
    const node = byNode.get(id);
    if (node) totals.set(key(node), (totals.get(key(node)) ?? 0) + time);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
};
const percent = (value: number): string => `${((value / total) * 100).toFixed(1)}%`;
process.stdout.write(
  `\nSelf time by package:\n${sum(packageOf)
    .slice(0, 15)
    .map(([name, time]) => `  ${percent(time).padStart(6)} ${name}`)
    .join('\n')}\n`,
);
process.stdout.write(
  `\nSelf time by function:\n${sum(place)
    .slice(0, 30)
    .map(([name, time]) => `  ${percent(time).padStart(6)} ${name}`)
    .join('\n')}\n`,
);
