import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadSpec } from '../spec/load-spec.js';
import { moduleFileFor, withNewStubs } from './module-file.js';
import { listOperations } from './operations.js';
import { testFileFor } from './test-file.js';
import { typesFileFor } from './types-file.js';
import { writeNewFile } from './write-new-file.js';

export interface InitRequest {
  /** The spec file. */
  spec: string;
  /** Where the module goes; by default `<spec dir>/<spec name>/`, where `serve` finds it. */
  out?: string;
  /** `--update`: rewrite `types.ts`, add stubs for new operations to `index.ts`. */
  update?: boolean;
}

export interface InitOutcome {
  moduleDir: string;
  /** One line per file: what was written, kept or changed, for the person who ran it. */
  report: string[];
}

/**
 * `standin init`: a typed module to start from, beside the spec. A file that exists is never
 * overwritten (it is kept, and the report says so); with `update`, `types.ts` (generated, not to
 * be edited) is rewritten and `index.ts` gets a stub for each operation it lacks, above its marker
 * line, and is otherwise left as it is.
 */
export async function initModule(request: InitRequest): Promise<InitOutcome> {
  const spec = await loadSpec(request.spec);
  const specName = spec.vendor;
  const moduleDir = path.resolve(request.out ?? path.join(path.dirname(spec.file), specName));
  const { operations, unnamed } = listOperations(spec.document);
  await mkdir(moduleDir, { recursive: true });
  const shown = (file: string): string => path.relative(process.cwd(), file) || file;
  const report: string[] = [];

  // The module is an ES module whatever the project around it is: Node takes a `.ts` file in a
  // folder without `"type": "module"` for CommonJS, and tsx then cannot load it beside standin.
  report.push(
    await writeOrKeep(
      path.join(moduleDir, 'package.json'),
      `${JSON.stringify({ type: 'module' }, null, 2)}\n`,
      shown,
    ),
  );

  const typesFile = path.join(moduleDir, 'types.ts');
  const types = await typesFileFor(spec, path.basename(spec.file));
  if (request.update) {
    await writeFile(typesFile, types);
    report.push(`wrote    ${shown(typesFile)} (regenerated from the spec)`);
  } else {
    report.push(await writeOrKeep(typesFile, types, shown));
  }

  const moduleFile = path.join(moduleDir, 'index.ts');
  const existing = await readFile(moduleFile, 'utf8').catch(() => undefined);
  if (existing === undefined) {
    report.push(await writeOrKeep(moduleFile, moduleFileFor(specName, operations), shown));
  } else if (!request.update) {
    report.push(
      `kept     ${shown(moduleFile)} (it exists; standin init --update adds new operations)`,
    );
  } else {
    const update = withNewStubs(existing, operations);
    if (!update.ok) report.push(`kept     ${shown(moduleFile)}: ${update.reason}`);
    else if (update.added.length === 0)
      report.push(`kept     ${shown(moduleFile)} (a handler for every operation already)`);
    else {
      await writeFile(moduleFile, update.text);
      report.push(`updated  ${shown(moduleFile)}: stubs for ${update.added.join(', ')}`);
    }
  }

  const testFile = path.join(moduleDir, `${specName}.test.ts`);
  report.push(
    await writeOrKeep(testFile, testFileFor(specName, spec.file, moduleDir, operations), shown),
  );
  for (const place of unnamed)
    report.push(`note     ${place} has no operationId: it answers from the spec, with no handler`);
  return { moduleDir, report };
}

async function writeOrKeep(
  file: string,
  text: string,
  shown: (file: string) => string,
): Promise<string> {
  return (await writeNewFile(file, text))
    ? `wrote    ${shown(file)}`
    : `kept     ${shown(file)} (it exists)`;
}
