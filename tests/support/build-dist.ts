import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * `npm test`'s build: what `npm run build` (`tsc -p tsconfig.json`) emits into dist/, written so
 * that a test reading dist/ meanwhile never reads a file half written. Two `npm test` runs on one
 * checkout build while the other's tests start dist/cli.js, and tsc truncates and rewrites every
 * file in place: CLIs started during builds failed ("SyntaxError: The requested module ... does
 * not provide an export"), 2 of 120. Here a file whose content is unchanged is not written at
 * all, and a changed one is written beside its place and renamed over it, which a reader sees as
 * one change. Run: `node --import tsx tests/support/build-dist.ts`; exits as tsc would.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CONFIG_FILE = path.join(ROOT, 'tsconfig.json');

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (fileName) => fileName,
  getCurrentDirectory: () => ROOT,
  getNewLine: () => '\n',
};

function report(diagnostics: readonly ts.Diagnostic[]): void {
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost));
}

function writeIfChanged(fileName: string, text: string, writeByteOrderMark: boolean): void {
  const content = writeByteOrderMark ? `\uFEFF${text}` : text;
  try {
    if (readFileSync(fileName, 'utf8') === content) return;
  } catch {
    // Not there yet: written below.
  }
  mkdirSync(path.dirname(fileName), { recursive: true });
  // Beside its place: a rename is atomic only within one file system.
  const temporary = `${fileName}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, fileName);
}

const config = ts.getParsedCommandLineOfConfigFile(CONFIG_FILE, undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
    report([diagnostic]);
    process.exit(1);
  },
});
if (config === undefined) throw new Error(`${CONFIG_FILE} could not be read`);
const program = ts.createProgram({
  rootNames: config.fileNames,
  options: config.options,
  configFileParsingDiagnostics: config.errors,
  ...(config.projectReferences ? { projectReferences: config.projectReferences } : {}),
});
const emitted = program.emit(undefined, writeIfChanged);
// The dashboard's page, scripts and styles are not TypeScript: copied as `npm run build` copies them.
const ASSETS = path.join(ROOT, 'src', 'dashboard', 'assets');
for (const name of readdirSync(ASSETS)) {
  const text = readFileSync(path.join(ASSETS, name), 'utf8');
  writeIfChanged(path.join(ROOT, 'dist', 'dashboard', 'assets', name), text, false);
}
const diagnostics = ts.sortAndDeduplicateDiagnostics([
  ...ts.getPreEmitDiagnostics(program),
  ...emitted.diagnostics,
]);
if (diagnostics.length > 0) {
  report(diagnostics);
  // tsc's exit codes: 1 when nothing was emitted, 2 when the files were written despite errors.
  process.exit(emitted.emitSkipped ? 1 : 2);
}
