import { open } from 'node:fs/promises';

/**
 * Writes a file only if none is there: `wx` fails when it exists, in the same system call, so a
 * file made meanwhile is not overwritten either. True when written, false when kept.
 */
export async function writeNewFile(file: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  return true;
}
