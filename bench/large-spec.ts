/**
 * Startup with a user's large document: process start to the first answered request for one
 * generated OpenAPI document of 50 and of 1 000 operations (the shape of a real API: resources
 * with a collection and an item path, path and query parameters, JSON bodies referring to shared
 * components, error responses), against a bare node:http server in the same run. What matters is
 * the cost per hundred operations, which must stay far below a second. `npm run bench:large-spec`
 * runs it alone; `npm run bench` includes it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { ROOT } from './servers.js';
import { median, timeOnce } from './startup.js';

const BARE_SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port) })`;

/** Five operations per resource: list, create, read, replace, delete. */
export function generatedDocument(operations: number): object {
  const resources = Math.ceil(operations / 5);
  const paths: Record<string, object> = {};
  const schemas: Record<string, object> = {
    Problem: {
      type: 'object',
      required: ['message'],
      properties: { message: { type: 'string' }, code: { type: 'integer' } },
    },
  };
  let left = operations;
  for (let index = 0; index < resources; index += 1) {
    const name = `Resource${index}`;
    schemas[name] = {
      type: 'object',
      required: ['id', 'name'],
      properties: {
        id: { type: 'string', format: 'uuid', readOnly: true },
        name: { type: 'string', minLength: 1, maxLength: 80 },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 20 },
        createdAt: { type: 'string', format: 'date-time', readOnly: true },
        size: { type: 'integer', minimum: 0 },
        status: { type: 'string', enum: ['active', 'archived'] },
      },
    };
    const ref = { $ref: `#/components/schemas/${name}` };
    const error = {
      description: 'an error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
    const collection: Record<string, object> = {};
    const item: Record<string, object> = {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
    };
    const take = (): boolean => (left -= 1) >= 0;
    if (take())
      collection.get = {
        operationId: `list${name}`,
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'a page',
            content: { 'application/json': { schema: { type: 'array', items: ref } } },
          },
          '400': error,
        },
      };
    if (take())
      collection.post = {
        operationId: `create${name}`,
        requestBody: { required: true, content: { 'application/json': { schema: ref } } },
        responses: {
          '201': { description: 'created', content: { 'application/json': { schema: ref } } },
          '422': error,
        },
      };
    if (take())
      item.get = {
        operationId: `get${name}`,
        responses: {
          '200': { description: 'one', content: { 'application/json': { schema: ref } } },
          '404': error,
        },
      };
    if (take())
      item.put = {
        operationId: `replace${name}`,
        requestBody: { required: true, content: { 'application/json': { schema: ref } } },
        responses: {
          '200': { description: 'replaced', content: { 'application/json': { schema: ref } } },
          '404': error,
        },
      };
    if (take())
      item.delete = {
        operationId: `delete${name}`,
        responses: { '204': { description: 'deleted' }, '404': error },
      };
    paths[`/resources-${index}`] = collection;
    paths[`/resources-${index}/{id}`] = item;
  }
  return {
    openapi: '3.0.3',
    info: { title: `${operations} operations`, version: '1' },
    paths,
    components: { schemas },
  };
}

export interface LargeSpecResult {
  runs: number;
  /** Median ms by number of operations. */
  standinMs: Record<number, number>;
  bareMs: number;
  /** Median ms each hundred operations add, from the smallest to the largest document. */
  msPerHundredOperations: number;
}

export const SIZES = [50, 1000] as const;

export async function measureLargeSpecs(runs: number): Promise<LargeSpecResult> {
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-large-spec-'));
  try {
    const files = new Map<number, string>();
    for (const size of SIZES) {
      const file = path.join(directory, `api-${size}.yaml`);
      await writeFile(file, stringify(generatedDocument(size)));
      files.set(size, file);
    }
    const samples = new Map<number, number[]>(SIZES.map((size) => [size, []]));
    const bare: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      bare.push(await timeOnce(['-e', BARE_SERVER]));
      for (const size of SIZES) {
        const args = [path.join(ROOT, 'dist', 'cli.js'), 'serve', files.get(size) as string];
        samples.get(size)?.push(await timeOnce([...args, '--port', '0', '--log', 'json']));
      }
    }
    const standinMs = Object.fromEntries(
      SIZES.map((size) => [size, Math.round(median(samples.get(size) ?? []))]),
    ) as Record<number, number>;
    const smallest = SIZES[0];
    const largest = SIZES[SIZES.length - 1] as number;
    return {
      runs,
      standinMs,
      bareMs: Math.round(median(bare)),
      msPerHundredOperations: Math.round(
        ((standinMs[largest] as number) - (standinMs[smallest] as number)) /
          ((largest - smallest) / 100),
      ),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await measureLargeSpecs(Number(process.env.BENCH_RUNS ?? 5));
  process.stdout.write(
    `Startup with one generated document (node ${process.version}, median of ${result.runs}):\n` +
      SIZES.map((size) => `  ${size} operations: ${result.standinMs[size]} ms\n`).join('') +
      `  bare node:http: ${result.bareMs} ms\n  each hundred operations add ${result.msPerHundredOperations} ms\n`,
  );
}
