import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { VendorStates } from '../state/vendor-states.js';
import type { NamespaceRegistry } from './namespace-registry.js';
import type { Vendor } from './compile-vendor.js';

/**
 * What one load of the specs, modules and state file made: the vendors, their states and
 * whatever serves them. A whole generation is built beside the one serving, then swapped in at
 * once; a request reads the holder once, when it arrives, and keeps that generation to its end.
 */
export interface VendorGeneration {
  /** 1 for the start, then one more for each reload that was swapped in. */
  version: number;
  vendors: readonly Vendor[];
  states: VendorStates;
  /** The `--state` fixture as loaded (by vendor name), to tell whether the file changed. */
  fixtures: Readonly<Record<string, unknown>>;
}

/** The generation serving now, replaced atomically: a plain reference, read per request. */
export class VendorSet<G extends VendorGeneration> {
  constructor(private generation: G) {}

  get current(): G {
    return this.generation;
  }

  swap(next: G): void {
    this.generation = next;
  }
}

/** A hash of the module's state schema: equal hashes, compatible states. Undefined without state. */
export function stateSchemaHash(vendor: Vendor): string | undefined {
  const schema = vendor.module.state?.schema;
  if (schema === undefined) return undefined;
  return createHash('sha256').update(stableJson(schema)).digest('hex');
}

/** Where states live and how they start, for carrying them from a generation to the next. */
export interface StateCarrier {
  namespaces: Pick<NamespaceRegistry, 'list'>;
  clock: Pick<Clock, 'now'>;
  logger: Pick<Logger, 'warn'>;
}

/**
 * Keeps every state the next generation can read, and resets the others before it serves: a
 * vendor whose state schema changed (or that has a state for the first time) starts again from
 * its initial value in every namespace; a changed `--state` fixture reseeds every state. One log
 * line for each, naming the vendor or the file.
 */
export async function carryStates(
  previous: VendorGeneration,
  next: VendorGeneration,
  carrier: StateCarrier,
  stateFile: string | undefined,
): Promise<void> {
  const namespaces = (await carrier.namespaces.list()).map((namespace) => namespace.name);
  if (stableJson(previous.fixtures) !== stableJson(next.fixtures)) {
    for (const namespace of namespaces) await next.states.reset(namespace);
    carrier.logger.warn(
      `${stateFile ?? 'the state file'} changed: every vendor's state was reseeded from it, in every namespace`,
    );
    return;
  }
  const before = new Map(previous.vendors.map((vendor) => [vendor.name, stateSchemaHash(vendor)]));
  for (const vendor of next.vendors) {
    const hash = stateSchemaHash(vendor);
    const state = vendor.module.state;
    if (hash === undefined || state === undefined || before.get(vendor.name) === hash) continue;
    for (const namespace of namespaces) {
      const initial =
        next.fixtures[vendor.name] ?? state.initial(await carrier.clock.now(namespace));
      await next.states.replace(namespace, vendor.name, initial);
    }
    carrier.logger.warn(
      `${vendor.name}: its state schema changed, so its state was reset to its initial value in every namespace`,
    );
  }
}

export interface Reloader {
  /** Asks for a reload; a reload asked while one runs is done once, after it. */
  request(changed: readonly string[]): void;
  /** Resolves when no reload runs nor waits (for close, and for tests). */
  settled(): Promise<void>;
}

export interface ReloaderOptions<G extends VendorGeneration> {
  holder: VendorSet<G>;
  /** Builds the next generation from the files as they are now; rejects when one is broken. */
  build(version: number): Promise<G>;
  /** Makes the states right for `next` (carryStates), before it serves. */
  adopt(previous: G, next: G): Promise<void>;
  logger: Pick<Logger, 'info' | 'error'>;
  /** Told of each generation swapped in (to watch the files it was made from). */
  swapped?(next: G): void;
}

/**
 * One reload at a time. A broken change is logged (the error names the file and the place: a
 * SpecError, an import error) and the last good generation keeps serving.
 */
export function createReloader<G extends VendorGeneration>(options: ReloaderOptions<G>): Reloader {
  const { holder, logger } = options;
  let running: Promise<void> | undefined;
  let waiting: string[] | undefined;

  const reload = async (changed: readonly string[]): Promise<void> => {
    const started = performance.now();
    const previous = holder.current;
    let next: G;
    try {
      next = await options.build(previous.version + 1);
      await options.adopt(previous, next);
    } catch (error) {
      logger.error(
        `reload after a change to ${changed.join(', ')} failed; still serving the last good version (${previous.version}): ${describe(error)}`,
      );
      return;
    }
    holder.swap(next);
    options.swapped?.(next);
    const ms = Math.round(performance.now() - started);
    logger.info(
      `reloaded after a change to ${changed.join(', ')}: version ${next.version} (${ms} ms)`,
    );
  };
  const drain = async (): Promise<void> => {
    while (waiting !== undefined) {
      const changed = waiting;
      waiting = undefined;
      await reload(changed);
    }
    running = undefined;
  };

  return {
    request(changed) {
      waiting = [...new Set([...(waiting ?? []), ...changed])];
      running ??= drain();
    },
    async settled() {
      while (running) await running;
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** JSON with object keys sorted: the same schema written in another key order hashes the same. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const record = item as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, record[key]]),
    );
  });
}
