import type { ResolvedOptions } from './config.js';
import { userModuleFile } from './engine/fresh-modules.js';
import {
  carryStates,
  createReloader,
  type StateCarrier,
  type VendorGeneration,
  type VendorSet,
} from './engine/reload.js';
import type { Logger } from './logger.js';
import { discoverSpecs } from './spec/discover-specs.js';
import { watchFiles } from './watch.js';

export interface ServedWatch {
  /** Stops watching, and waits for a reload under way to end. */
  close(): Promise<void>;
}

/**
 * `--watch`: watches the files the serving generation was made from (its spec files, the user's
 * module files it loaded, the `--state` file), and on a change builds the next generation and
 * swaps it in, its states carried over (engine/reload.ts).
 */
export async function watchServed<G extends VendorGeneration>(
  resolved: ResolvedOptions,
  holder: VendorSet<G>,
  logger: Logger,
  build: (version: number) => Promise<G>,
  carrier: StateCarrier,
): Promise<ServedWatch> {
  const targetsOf = async (generation: G): Promise<string[]> => {
    const modules = generation.vendors.flatMap((vendor) => {
      const file = userModuleFile(vendor.module);
      return file === undefined ? [] : [file];
    });
    const specs = await discoverSpecs(resolved.specs);
    const state = resolved.state === undefined ? [] : [resolved.state];
    return [...specs, ...modules, ...state];
  };
  let closed = false;
  const reloader = createReloader<G>({
    holder,
    build,
    adopt: (previous, next) => carryStates(previous, next, carrier, resolved.state),
    logger,
    swapped: (next) => {
      void targetsOf(next).then(
        (targets) => {
          if (!closed) watch.retarget(targets);
        },
        (error: unknown) =>
          logger.warn(`--watch: the files to watch could not be listed: ${String(error)}`),
      );
    },
  });
  const watch = watchFiles(await targetsOf(holder.current), (changed) => reloader.request(changed));
  logger.info('watching the specs, module files and state file for changes (--watch)');
  return {
    async close() {
      closed = true;
      watch.close();
      await reloader.settled();
    },
  };
}
