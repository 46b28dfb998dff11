/**
 * The cost per request of a vendor module loaded from a file (`--handlers`, TypeScript without a
 * build step) against the same module built in. ProjectDiscovery's sources are copied as
 * TypeScript into a temporary handlers folder, their imports of standin's internals pointed at
 * dist/ (the running copy, so a refusal is recognised); then two `node dist/cli.js serve`
 * processes, one with `--handlers` and one without, take the bench's stateful rotation, in turn,
 * BENCH_RUNS times (3) after a warm-up, each run bounded to BENCH_SECONDS (5) at
 * BENCH_CONNECTIONS (32). Prints the medians. Run after `npm run build`:
 * `node --import tsx bench/file-handlers.ts`.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { freePort, ROOT, startProcess, type ServerProcess } from './servers.js';
import { rotationRequests, seedPrincipals } from './workload.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** The built-in module's sources, as a user would have written them, in a folder of their own. */
async function copyAsUserModule(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-bench-handlers-'));
  const source = path.join(ROOT, 'src', 'handlers', 'projectdiscovery');
  const target = path.join(directory, 'projectdiscovery');
  await mkdir(target);
  await writeFile(path.join(directory, 'package.json'), '{ "type": "module" }\n');
  const dist = (relative: string): string =>
    JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', relative)).href);
  for (const file of await readdir(source)) {
    const text = (await readFile(path.join(source, file), 'utf8'))
      .replace(/'\.\.\/\.\.\/([^']+)'/g, (_all, relative: string) => dist(relative))
      .replace(/'\.\.\/([^']+)'/g, (_all, relative: string) =>
        dist(path.join('handlers', relative)),
      )
      .replace(/'typebox'/g, JSON.stringify(import.meta.resolve('typebox')));
    await writeFile(path.join(target, file), text);
  }
  return directory;
}

async function serve(name: string, extra: readonly string[]): Promise<ServerProcess> {
  const port = await freePort();
  const args = ['dist/cli.js', 'serve', '--port', String(port), '--log', 'silent', ...extra];
  return startProcess(name, args, port);
}

async function rotationsPerSecond(
  server: ServerProcess,
  seconds: number,
): Promise<{ rps: number; p50: number; p99: number; unexpected: number }> {
  const keys = await seedPrincipals(server.url, CONNECTIONS);
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: rotationRequests(keys),
  });
  const unexpected = Object.entries(result.statusCodeStats ?? {})
    .filter(([status]) => status !== '200')
    .reduce((sum, [, stats]) => sum + (stats.count ?? 0), 0);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    unexpected: unexpected + result.errors + result.timeouts,
  };
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const handlers = await copyAsUserModule();
const servers = {
  'built-in': await serve('built-in', []),
  'from file (--handlers, TS)': await serve('file', ['--handlers', handlers]),
};
try {
  const results = new Map<string, Array<Awaited<ReturnType<typeof rotationsPerSecond>>>>();
  for (const server of Object.values(servers)) await rotationsPerSecond(server, 2);
  for (let run = 0; run < RUNS; run += 1) {
    for (const [name, server] of Object.entries(servers)) {
      results.set(name, [...(results.get(name) ?? []), await rotationsPerSecond(server, SECONDS)]);
    }
  }
  process.stdout.write(
    `Node ${process.version}, ${CONNECTIONS} connections, ${SECONDS} s per run, median of ${RUNS}, ProjectDiscovery key rotation:\n`,
  );
  for (const [name, runs] of results) {
    process.stdout.write(
      `  ${name.padEnd(28)} ${Math.round(median(runs.map((run) => run.rps)))} req/s, p50 ${median(runs.map((run) => run.p50))} ms, p99 ${median(runs.map((run) => run.p99))} ms, non-200 ${runs.reduce((sum, run) => sum + run.unexpected, 0)} (runs: ${runs.map((run) => Math.round(run.rps)).join(', ')} req/s)\n`,
    );
  }
} finally {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  await rm(handlers, { recursive: true, force: true });
}
