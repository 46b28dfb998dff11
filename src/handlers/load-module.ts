import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../types/config-error.js';
import type { VendorModule } from './types.js';

/** The keys a vendor module may have (src/handlers/types.ts): any other is a mistake worth naming. */
const MODULE_KEYS: ReadonlySet<string> = new Set([
  'state',
  'authenticate',
  'credentials',
  'handlers',
  'rateLimit',
  'actions',
]);

const TYPESCRIPT_FILE = /\.(ts|mts|cts)$/i;

/** A file tsx compiles: importing one registers tsx's hooks for the rest of the process. */
export function isTypeScriptFile(file: string): boolean {
  return TYPESCRIPT_FILE.test(file);
}

/** The file each loaded module came from, for messages that must name it (an unknown operationId). */
const moduleFiles = new WeakMap<object, string>();

/** The file a vendor module was loaded from, when it came from one (not from code). */
export function moduleFileOf(module: VendorModule | undefined): string | undefined {
  return module === undefined ? undefined : moduleFiles.get(module);
}

/** What a file exports when it is not a vendor module: said so by the caller, or skipped. */
export class NotAVendorModule extends ConfigError {
  override name = 'NotAVendorModule';

  constructor(
    readonly file: string,
    /** What the file exports instead, without the file's name. */
    readonly problem: string,
  ) {
    super(`${file} ${problem}`);
  }
}

/**
 * Loads one vendor module file, TypeScript or JavaScript, in any process: `node dist/cli.js` as
 * well as the tests under tsx. Its default export (or, without one, its only export) is the module.
 * A file that cannot be imported is a ConfigError naming the file and, for a syntax error, the line;
 * a file that exports something else is a NotAVendorModule.
 */
export async function loadModuleFile(file: string): Promise<VendorModule> {
  const absolute = path.resolve(file);
  if (TYPESCRIPT_FILE.test(absolute)) await ensureTypeScriptLoader();
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(
      `the vendor module ${absolute} cannot be loaded: ${await describeImportError(absolute, error)}`,
    );
  }
  const exported = Object.values(loaded);
  const candidate =
    'default' in loaded ? loaded.default : exported.length === 1 ? exported[0] : undefined;
  const problem = vendorModuleProblem(candidate);
  if (problem !== undefined) throw new NotAVendorModule(absolute, problem);
  const module = candidate as VendorModule;
  moduleFiles.set(module, absolute);
  return module;
}

/** Why a value is not a vendor module, or nothing when it is one. */
function vendorModuleProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return "exports no vendor module: export it as default (or make it the file's only export), an object with state, authenticate, credentials, handlers, rateLimit or actions";
  const keys = Object.keys(value);
  const unknown = keys.filter((key) => !MODULE_KEYS.has(key));
  if (unknown.length > 0)
    return `exports an object with ${unknown.map((key) => `"${key}"`).join(', ')}, which a vendor module does not have (it has ${[...MODULE_KEYS].join(', ')})`;
  if (keys.length === 0) return 'exports an empty object, not a vendor module';
  const { handlers } = value as { handlers?: unknown };
  if (handlers !== undefined) {
    if (typeof handlers !== 'object' || handlers === null)
      return 'exports a module whose handlers are not an object of functions by operationId';
    const notFunctions = Object.entries(handlers)
      .filter(([, handler]) => typeof handler !== 'function')
      .map(([operationId]) => `"${operationId}"`);
    if (notFunctions.length > 0)
      return `exports a module whose handlers ${notFunctions.join(', ')} are not functions`;
  }
  return undefined;
}

let typeScriptLoader: Promise<void> | undefined;

/**
 * TypeScript without a build step: tsx's hooks, registered once for the whole process, so a `.ts`
 * module and the `.ts` files it imports load. Not tsImport(): it loads each graph under a
 * namespace of its own, so a module importing `refuse` from standin got a second copy of its
 * ProblemError class, and its refusals were no longer recognised (answered 500). Skipped where a
 * TypeScript loader already runs (standin's own sources under tsx, `node --import tsx`): a second
 * registration breaks modules tsx loads as CommonJS.
 */
function ensureTypeScriptLoader(): Promise<void> {
  typeScriptLoader ??= typeScriptLoaderActive()
    ? Promise.resolve()
    : import('tsx/esm/api').then(({ register }) => {
        register();
      });
  return typeScriptLoader;
}

function typeScriptLoaderActive(): boolean {
  // This very file is TypeScript: something already compiles TypeScript in this process.
  if (TYPESCRIPT_FILE.test(new URL(import.meta.url).pathname)) return true;
  return process.execArgv.some(
    (argument) =>
      /(^|=)tsx(\/|$)/.test(argument) || /[\\/]node_modules[\\/]tsx[\\/]/.test(argument),
  );
}

/**
 * The error of an import, placed: tsx's own message names the file, line and column of a
 * TypeScript syntax error; Node's SyntaxError for JavaScript names neither, so `node --check`
 * (on this error path only) finds the line.
 */
async function describeImportError(file: string, error: unknown): Promise<string> {
  const message = error instanceof Error ? error.message : String(error);
  if (TYPESCRIPT_FILE.test(file) && message.includes('Cannot require() ES Module'))
    return `${message} (Node takes a .ts file for CommonJS unless the nearest package.json says "type": "module": put a package.json with {"type": "module"} beside the module, as standin init does, or name it .mts)`;
  if (!(error instanceof SyntaxError) || TYPESCRIPT_FILE.test(file)) {
    const place = error instanceof Error ? placeInStack(error) : undefined;
    return place === undefined || message.includes(place) ? message : `${message} (at ${place})`;
  }
  const checked = await syntaxCheck(file);
  return checked === undefined ? message : `${message} at ${checked}`;
}

/** Where an error thrown while a module ran was thrown, in the user's files (not Node's). */
function placeInStack(error: Error): string | undefined {
  for (const line of (error.stack ?? '').split('\n').slice(1)) {
    const place = /(file:\/\/[^\s)]+:\d+:\d+)/.exec(line)?.[1];
    if (place !== undefined && !place.includes('/node_modules/')) return place;
  }
  return undefined;
}

/** `node --check FILE`: its first line names the file and the line of a syntax error. */
function syntaxCheck(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--check', file], { timeout: 10_000 }, (failure, _out, stderr) => {
      if (failure === null) return resolve(undefined);
      const first = stderr.split('\n').find((line) => line.trim() !== '');
      resolve(first?.startsWith(file) ? first.trim() : undefined);
    });
  });
}
