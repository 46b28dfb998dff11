import { readFileSync } from 'node:fs';

/**
 * standin's version, from its own package.json: the one file that is beside dist/ both in a
 * checkout and in an installed package (a JSON import would have to sit under src/, and the
 * version would then be copied into dist/ at build time, where it could go stale).
 */
export function packageVersion(): string {
  const manifest: unknown = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  );
  if (
    typeof manifest !== 'object' ||
    manifest === null ||
    !('version' in manifest) ||
    typeof manifest.version !== 'string'
  )
    throw new Error('package.json has no version');
  return manifest.version;
}
