import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * `serve --ready-file FILE`: the server's URL in FILE while it is ready, for a script or a service
 * manager that waits for the file instead of parsing the log. The file is written beside its place
 * and renamed over it, so a reader sees no file or the whole URL, never a part of it. It goes away
 * when standin stops, and, as a last resort, on any exit of the process (not a SIGKILL): a stale
 * file would tell the next reader that a dead server is ready.
 *
 * Returns the removal, to call once standin starts stopping (it is no longer ready then).
 */
export function writeReadyFile(file: string, url: string): () => void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${url}\n`);
  renameSync(temporary, file);
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    rmSync(file, { force: true });
  };
  process.on('exit', remove);
  return remove;
}
