/**
 * `npm run bench`: standin against the mock servers people use and against Node's own limit, in one
 * run, on loopback, each server in its own process, driven by autocannon at the same concurrency
 * after a warm-up. Prints one table (requests/s, p50, p99, RSS, ratio to standin), checks the goals,
 * and writes the table as Markdown and JSON under bench/results/. Every load is bounded in time or
 * in requests. Knobs: BENCH_CONNECTIONS (32), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3),
 * BENCH_SOAK_REQUESTS (1000000; 0 skips the memory soak), BENCH_STARTUP_RUNS (7).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';
import { REDIS_INSTALLED, REDIS_MISSING, startRedis } from '../tests/support/redis-server.js';
import { measureStartup } from './startup.js';
import { measureLargeSpecs, SIZES } from './large-spec.js';
import { ROTATE, rotationRequests, seedPrincipals, type Requests } from './workload.js';
import {
  BARE_EXPRESS,
  BARE_NODE,
  freePort,
  ROOT,
  rssMiB,
  startProcess,
  type ServerProcess,
} from './servers.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const SOAK_REQUESTS = Number(process.env.BENCH_SOAK_REQUESTS ?? 1_000_000);
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 7);

type RowKey =
  'stateful' | 'stateful1k' | 'stateful10k' | 'cheap' | 'redis' | 'prism' | 'node' | 'express';

interface Row {
  key: RowKey;
  subject: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number;
  unexpectedStatus: number;
  errors: number;
}

/** Makes the requests of one load; async where a load needs the server prepared first. */
type Workload = () => Promise<Requests>;

function load(
  url: string,
  requests: Requests,
  bound: { seconds: number } | { amount: number },
): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    ...('amount' in bound ? { amount: bound.amount } : { duration: bound.seconds }),
    requests,
  });
}

async function measure(
  key: RowKey,
  subject: string,
  server: ServerProcess,
  workload: Workload,
  expectedStatus = 200,
): Promise<Row> {
  await load(server.url, await workload(), { seconds: WARMUP_SECONDS });
  const result = await load(server.url, await workload(), { seconds: SECONDS });
  const unexpectedStatus = Object.entries(result.statusCodeStats ?? {})
    .filter(([status]) => Number(status) !== expectedStatus)
    .reduce((sum, [, stats]) => sum + (stats.count ?? 0), 0);
  return {
    key,
    subject,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    rssMiB: await rssMiB(server.pid),
    unexpectedStatus,
    errors: result.errors + result.timeouts,
  };
}

/**
 * A load that stops on time drops the answers in flight, and the keys in them: each load seeds anew.
 * `principals` is how many the vendor's state holds (at least one per connection); the requests
 * rotate all of them in turn, so a big state is really written all over.
 */
function rotations(server: ServerProcess, principals = CONNECTIONS): Workload {
  return async () =>
    rotationRequests(await seedPrincipals(server.url, Math.max(principals, CONNECTIONS)));
}

function constantCall(callPath: string, headers: Record<string, string> = {}): Workload {
  return () => Promise.resolve([{ method: 'POST', path: callPath, headers }]);
}

async function soak(server: ServerProcess): Promise<Array<{ requests: number; rssMiB: number }>> {
  const samples = [{ requests: 0, rssMiB: await rssMiB(server.pid) }];
  const step = Math.max(1, Math.floor(SOAK_REQUESTS / 10));
  const workload = rotations(server);
  let done = 0;
  while (done < SOAK_REQUESTS) {
    const amount = Math.min(step, SOAK_REQUESTS - done);
    await load(server.url, await workload(), { amount });
    done += amount;
    samples.push({ requests: done, rssMiB: await rssMiB(server.pid) });
  }
  return samples;
}

function table(rows: readonly Row[], reference: Row): string {
  return [
    '| subject | requests/s | p50 ms | p99 ms | RSS MiB | unexpected status | errors | x standin |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.subject} | ${row.requestsPerSecond} | ${row.p50Ms} | ${row.p99Ms} | ${row.rssMiB} | ${row.unexpectedStatus} | ${row.errors} | ${(row.requestsPerSecond / reference.requestsPerSecond).toFixed(2)} |`,
    ),
  ].join('\n');
}

async function withServer<T>(
  name: string,
  args: readonly string[],
  probe: string,
  use: (server: ServerProcess) => Promise<T>,
): Promise<T> {
  const port = await freePort();
  const server = await startProcess(name, [...args, String(port)], port, probe);
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

const rows: Row[] = [];
let soakSamples: Array<{ requests: number; rssMiB: number }> = [];
await withServer(
  'standin',
  // 10 000 seeded principals make a control-plane body of about 1.7 MB.
  [path.join(ROOT, 'dist', 'cli.js'), '--log', 'json', '--body-limit', '16mb', '--port'],
  '/',
  async (standin) => {
    rows.push(
      await measure(
        'stateful',
        'standin: stateful rotation (ProjectDiscovery)',
        standin,
        rotations(standin),
      ),
    );
    // A state update must cost the same however many principals the vendor's state holds.
    for (const [key, principals] of [
      ['stateful1k', 1_000],
      ['stateful10k', 10_000],
    ] as const) {
      rows.push(
        await measure(
          key,
          `standin: stateful rotation, ${principals} principals in the state`,
          standin,
          rotations(standin, principals),
        ),
      );
    }
    rows.push(
      await measure(
        'cheap',
        'standin: 401, no key (cheap path)',
        standin,
        constantCall(ROTATE),
        401,
      ),
    );
    if (SOAK_REQUESTS > 0) soakSamples = await soak(standin);
  },
);
// The same stateful workload with state in a real Redis (one replica): the cost of sharing.
let redisNote = '';
if (REDIS_INSTALLED) {
  const redis = await startRedis();
  try {
    await withServer(
      'standin on Redis',
      [path.join(ROOT, 'dist', 'cli.js'), '--log', 'json', '--store', redis.url, '--port'],
      '/',
      async (standin) => {
        rows.push(
          await measure(
            'redis',
            'standin: stateful rotation, Redis store (redis-server on loopback)',
            standin,
            rotations(standin),
          ),
        );
      },
    );
  } finally {
    await redis.stop();
  }
} else {
  redisNote = `Redis row skipped: ${REDIS_MISSING}.`;
  process.stderr.write(`${redisNote}\n`);
}
const prismCli = path.join(ROOT, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
const projectDiscovery = path.join(ROOT, 'specs', 'projectdiscovery.yaml');
await withServer(
  'prism',
  [prismCli, 'mock', projectDiscovery, '--host', '127.0.0.1', '--errors', '--port'],
  '/v1/user',
  async (prism) => {
    // Prism serves the spec's paths at its root.
    rows.push(
      await measure(
        'prism',
        'Prism 5.14 mock (same spec, same call)',
        prism,
        constantCall('/v1/user/apikey/rotate', { 'x-api-key': randomUUID() }),
      ),
    );
  },
);
await withServer('node:http', ['-e', BARE_NODE], '/', async (server) => {
  rows.push(await measure('node', 'bare node:http, constant body', server, constantCall(ROTATE)));
});
await withServer('express', ['-e', BARE_EXPRESS], '/', async (server) => {
  rows.push(
    await measure('express', 'bare express route, constant body', server, constantCall(ROTATE)),
  );
});

const startup = await measureStartup(STARTUP_RUNS);
const largeSpecs = await measureLargeSpecs(STARTUP_RUNS);
const rowOf = (key: RowKey): Row => {
  const row = rows.find((candidate) => candidate.key === key);
  if (!row) throw new Error(`the bench has no ${key} row`);
  return row;
};
const [stateful, stateful10k, redisRow, prismRow, bareNode, bareExpress] = [
  rowOf('stateful'),
  rowOf('stateful10k'),
  rows.find((candidate) => candidate.key === 'redis'),
  rowOf('prism'),
  rowOf('node'),
  rowOf('express'),
];
/** The goals of the "one clear house" redesign, each a ratio or a bound within this one run. */
const goals = [
  {
    goal: 'standin ≥ 6 × Prism requests/s',
    value: stateful.requestsPerSecond / prismRow.requestsPerSecond,
    met: stateful.requestsPerSecond >= 6 * prismRow.requestsPerSecond,
  },
  {
    goal: 'standin ≥ 0.25 × bare node:http requests/s',
    value: stateful.requestsPerSecond / bareNode.requestsPerSecond,
    met: stateful.requestsPerSecond >= 0.25 * bareNode.requestsPerSecond,
  },
  {
    goal: `standin p99 < 10 ms at ${CONNECTIONS} connections`,
    value: stateful.p99Ms,
    met: stateful.p99Ms < 10,
  },
  {
    goal: 'standin RSS under load < 150 MiB',
    value: stateful.rssMiB,
    met: stateful.rssMiB < 150,
  },
  ...(redisRow
    ? [
        {
          goal: 'Redis store ≥ 0.7 × memory store requests/s',
          value: redisRow.requestsPerSecond / stateful.requestsPerSecond,
          met: redisRow.requestsPerSecond >= 0.7 * stateful.requestsPerSecond,
        },
      ]
    : []),
  {
    goal: `rotation throughput with 10 000 principals ≥ 0.9 × the rate with ${CONNECTIONS}`,
    value: stateful10k.requestsPerSecond / stateful.requestsPerSecond,
    met: stateful10k.requestsPerSecond >= 0.9 * stateful.requestsPerSecond,
  },
  { goal: 'startup < 700 ms (median)', value: startup.standinMs, met: startup.standinMs < 700 },
  {
    goal: 'a large document: each hundred operations add < 100 ms of startup',
    value: largeSpecs.msPerHundredOperations,
    met: largeSpecs.msPerHundredOperations < 100,
  },
];

const report = [
  `Node ${process.version}, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up, ${SECONDS} s measured, loopback, autocannon in this process.`,
  '',
  table(rows, stateful),
  ...(redisNote ? ['', redisNote] : []),
  '',
  `Startup (process start to first answered request, five specs, median of ${STARTUP_RUNS}): standin ${startup.standinMs} ms, bare node:http ${startup.bareMs} ms.`,
  '',
  `Startup with one generated document (median of ${largeSpecs.runs}): ${SIZES.map((size) => `${size} operations ${largeSpecs.standinMs[size]} ms`).join(', ')}; each hundred operations add ${largeSpecs.msPerHundredOperations} ms.`,
  '',
  soakSamples.length > 0
    ? `Memory under the stateful workload (RSS MiB after each ${SOAK_REQUESTS / 10} requests): ${soakSamples.map((sample) => `${sample.requests}: ${sample.rssMiB}`).join(', ')}.`
    : 'Memory soak skipped (BENCH_SOAK_REQUESTS=0).',
  '',
  '| goal | measured | met |',
  '| --- | ---: | --- |',
  ...goals.map(
    (goal) =>
      `| ${goal.goal} | ${Math.round(goal.value * 1000) / 1000} | ${goal.met ? 'yes' : 'NO'} |`,
  ),
  ...(goals.every((goal) => goal.met) ? [] : ['', ceilingNote()]),
].join('\n');
process.stdout.write(`${report}\n`);
/**
 * What stands between standin and an unmet throughput goal: the ceilings measured in this run.
 * A bare express route doing nothing is the most an express-based server could reach.
 */
function ceilingNote(): string {
  const ratio = (row: Row, to: Row): string =>
    (row.requestsPerSecond / to.requestsPerSecond).toFixed(2);
  return [
    `Ceilings in this run: a bare express route answering a constant reaches ${ratio(bareExpress, prismRow)} × Prism and ${ratio(bareExpress, bareNode)} × bare node:http,`,
    `so no server behind express could meet the throughput goals; standin serves vendor operations past express and reaches ${ratio(stateful, bareExpress)} × that bare express route`,
    'with the whole stateful pipeline. Where the remaining time goes: `npm run bench:profile` (a --cpu-prof of this workload, self time by package and function).',
  ].join(' ');
}

const results = path.join(ROOT, 'bench', 'results');
await mkdir(results, { recursive: true });
await writeFile(path.join(results, 'bench.md'), `${report}\n`);
await writeFile(
  path.join(results, 'bench.json'),
  `${JSON.stringify({ node: process.version, connections: CONNECTIONS, seconds: SECONDS, rows, startup, largeSpecs, soak: soakSamples, goals }, null, 2)}\n`,
);
