/**
 * `--watch` reload latency: the five bundled specs served from a copy, one of them edited 20
 * times (its title), and for each edit the time from the file write to the first request answered
 * by the new version (the vendor list at `/` names the new title). Prints the median and the
 * spread, and (with `--expose-gc`) the heap after the start and after the edits: old versions
 * must be freed. Run: `node --expose-gc --import tsx bench/reload-latency.ts`.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { createServer, DEFAULT_SPECS_DIR } from '../src/index.js';

const EDITS = Number(process.env.EDITS ?? 20);

/** The heap in use after a full collection, in MB (undefined without --expose-gc). */
function heapMb(): number | undefined {
  if (typeof globalThis.gc !== 'function') return undefined;
  globalThis.gc();
  return Math.round(process.memoryUsage().heapUsed / 1e5) / 10;
}
const EDITED = 'thousandeyes.yaml';

const folder = await mkdtemp(path.join(tmpdir(), 'standin-reload-'));
try {
  for (const file of await readdir(DEFAULT_SPECS_DIR)) {
    if (/\.ya?ml$/.test(file))
      await copyFile(path.join(DEFAULT_SPECS_DIR, file), path.join(folder, file));
  }
  const server = await createServer({ port: 0, log: 'silent', watch: true, specs: [folder] });
  const specFile = path.join(folder, EDITED);
  const original = await readFile(specFile, 'utf8');
  const latencies: number[] = [];
  const heapAtStart = heapMb();
  try {
    for (let edit = 1; edit <= EDITS; edit += 1) {
      const document = parseDocument(original);
      const title = `Reload ${edit}`;
      document.setIn(['info', 'title'], title);
      const text = document.toString();
      const written = performance.now();
      await writeFile(specFile, text);
      for (;;) {
        const listing = (await (await fetch(`${server.url}/`)).json()) as {
          vendors: Array<{ title: string }>;
        };
        if (listing.vendors.some((vendor) => vendor.title === title)) break;
        if (performance.now() - written > 10_000)
          throw new Error(`edit ${edit} was not served within 10 s`);
      }
      latencies.push(performance.now() - written);
    }
    console.log(
      `heap after the start: ${heapAtStart ?? '?'} MB; after ${EDITS} reloads: ${heapMb() ?? '?'} MB`,
    );
  } finally {
    await server.close();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (index: number): number => sorted[index] ?? Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 0 ? (at(middle - 1) + at(middle)) / 2 : at(middle);
  console.log(
    `reload latency over ${EDITS} edits of ${EDITED} (five specs): median ${median.toFixed(0)} ms, min ${at(0).toFixed(0)} ms, max ${at(sorted.length - 1).toFixed(0)} ms`,
  );
} finally {
  await rm(folder, { recursive: true, force: true });
}
