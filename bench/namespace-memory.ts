import { createServer } from '../src/index.js';

/**
 * What one namespace costs in memory: RSS and heap after N namespaces have each served R
 * authenticated requests (so each holds every vendor's state and R journal entries).
 * `npm run bench:namespaces -- [N] [R]` (defaults 1000 and 1)
 */
const count = Number(process.argv[2] ?? 1000);
const requestsEach = Number(process.argv[3] ?? 1);
const server = await createServer({ port: 0, log: 'silent', maxNamespaces: count + 1 });
const key = '3b9e2c4d-6f1a-4e8b-9c7d-5a2f1e0b8c41';
const collect = (): void => (globalThis as { gc?: () => void }).gc?.();

async function touch(namespace: string): Promise<void> {
  for (let request = 0; request < requestsEach; request += 1) await once(namespace);
}

async function once(namespace: string): Promise<void> {
  const answer = await fetch(`${server.url}/projectdiscovery/v1/user`, {
    headers: { 'x-api-key': key, 'x-standin-namespace': namespace },
  });
  if (answer.status !== 200) throw new Error(`${namespace}: ${answer.status}`);
  await answer.arrayBuffer();
}

await touch('warm-up');
collect();
const before = process.memoryUsage();
for (let index = 0; index < count; index += 8) {
  await Promise.all(
    Array.from({ length: Math.min(8, count - index) }, (_, offset) =>
      touch(`ns-${index + offset}`),
    ),
  );
}
await new Promise((resolve) => setTimeout(resolve, 200));
collect();
const after = process.memoryUsage();
const perNamespace = (field: 'rss' | 'heapUsed'): string =>
  `${((after[field] - before[field]) / count / 1024).toFixed(1)} KiB`;
process.stdout.write(
  `${count} namespaces, ${requestsEach} request(s) each: RSS ${(before.rss / 2 ** 20).toFixed(0)} -> ${(after.rss / 2 ** 20).toFixed(0)} MiB; per namespace: heap ${perNamespace('heapUsed')}, RSS ${perNamespace('rss')}\n`,
);
await server.close();
