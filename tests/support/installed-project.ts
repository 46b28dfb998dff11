import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './cli.js';

/**
 * A fresh project in a temp folder where standin is installed as `npm install --save-dev standin`
 * lays it out: an ES-module package.json, `node_modules/standin` (this checkout: its package.json
 * and dist/) and the hoisted tsx beside it. The caller removes the folder.
 */
export async function installedProject(name: string): Promise<string> {
  const project = await mkdtemp(path.join(tmpdir(), `standin-${name}-`));
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: `my-${name}`, type: 'module', private: true }),
  );
  await mkdir(path.join(project, 'node_modules'));
  await symlink(ROOT, path.join(project, 'node_modules', 'standin'), 'dir');
  await symlink(
    path.join(ROOT, 'node_modules', 'tsx'),
    path.join(project, 'node_modules', 'tsx'),
    'dir',
  );
  return project;
}
