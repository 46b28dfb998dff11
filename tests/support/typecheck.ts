import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './cli.js';

/**
 * A strict TypeScript program over `files`, as a user's project compiles a module against
 * standin: NodeNext resolution (so `import 'standin'` resolves through package.json to
 * `dist/index.d.ts`), strict and `noUncheckedIndexedAccess`, Node's types from this checkout.
 */
export function strictProgram(files: readonly string[]): ts.Program {
  return ts.createProgram(files, {
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    skipLibCheck: true,
  });
}
