import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface FileWatch {
  /** Watches these files from now on instead of the earlier ones (after a reload). */
  retarget(files: readonly string[]): void;
  /** Stops every watcher and pending timer: nothing of it keeps the process alive afterwards. */
  close(): void;
}

export interface FileWatchOptions {
  /** Changes closer together than this are reported once (an editor writes a file in several steps). */
  debounceMs?: number;
  /** How long a replaced file may be missing before its watch gives up (an editor's rename-and-write). */
  rearmWithinMs?: number;
}

const DEFAULT_DEBOUNCE_MS = 50;
const DEFAULT_REARM_WITHIN_MS = 2000;
const REARM_EVERY_MS = 20;

/**
 * Calls `onChange` with the paths that changed, once per burst of changes. Each file has a watch
 * of its own (`fs.watch`): watching the folders of the specs would also report every unrelated
 * file in them. Editors often save by writing a new file and renaming it over the old one, which
 * ends a file watch (it follows the old inode): on a rename the watch is armed again on the path,
 * as soon as a file is there again, and the file is reported as changed.
 */
export function watchFiles(
  files: readonly string[],
  onChange: (changed: string[]) => void,
  options: FileWatchOptions = {},
): FileWatch {
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const rearmWithinMs = options.rearmWithinMs ?? DEFAULT_REARM_WITHIN_MS;
  const watchers = new Map<string, FSWatcher>();
  const timers = new Set<NodeJS.Timeout>();
  const changed = new Set<string>();
  let burst: NodeJS.Timeout | undefined;
  let closed = false;

  const later = (delayMs: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, delayMs);
    timers.add(timer);
  };
  const report = (file: string): void => {
    if (closed) return;
    changed.add(file);
    if (burst) clearTimeout(burst);
    burst = setTimeout(() => {
      burst = undefined;
      const paths = [...changed];
      changed.clear();
      onChange(paths);
    }, debounceMs);
  };
  const rearmSoon = (file: string): void => {
    watchers.get(file)?.close();
    watchers.delete(file);
    const since = Date.now();
    later(REARM_EVERY_MS, () => arm(file, since));
  };
  /** `rearming`: since when the file has been away; undefined for a first watch. */
  const arm = (file: string, rearming?: number): void => {
    if (closed || watchers.has(file)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(file, (event) => {
        report(file);
        // The file was replaced or removed: this watch follows a file that is gone.
        if (event === 'rename') rearmSoon(file);
      });
    } catch {
      // Not there (yet): an editor's save in progress. Try again for a while, then give up.
      if (rearming !== undefined && Date.now() - rearming < rearmWithinMs)
        later(REARM_EVERY_MS, () => arm(file, rearming));
      return;
    }
    watcher.on('error', () => rearmSoon(file));
    watchers.set(file, watcher);
    // A file that came back after a rename may hold new content that no event reported.
    if (rearming !== undefined) report(file);
  };
  const armAll = (next: readonly string[]): void => {
    for (const file of next) arm(path.resolve(file));
  };
  armAll(files);

  return {
    retarget(next) {
      const wanted = new Set(next.map((file) => path.resolve(file)));
      for (const [file, watcher] of watchers) {
        if (wanted.has(file)) continue;
        watcher.close();
        watchers.delete(file);
      }
      armAll(next);
    },
    close() {
      closed = true;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (burst) clearTimeout(burst);
      burst = undefined;
    },
  };
}
