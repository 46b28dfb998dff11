import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Tests that need a real server from Debian (redis-server, nginx) run it themselves. When it is not
 * installed they are skipped, and say so loudly; with STANDIN_REQUIRE_SERVERS=1 (CI, which
 * installs them) they fail instead, so a missing install step can never pass as green.
 */

/** The command to run, or undefined when it is not installed. Debian keeps nginx in /usr/sbin. */
export function installedCommand(name: string, versionFlag: string): string | undefined {
  for (const command of [name, `/usr/sbin/${name}`]) {
    if (command.startsWith('/') && !existsSync(command)) continue;
    if (spawnSync(command, [versionFlag], { stdio: 'ignore' }).status === 0) return command;
  }
  return undefined;
}

/** The reason to skip (`test(name, { skip }, ...)`), or false when the command is installed. */
export function skipUnlessInstalled(
  command: string | undefined,
  debianPackage: string,
): string | false {
  if (command !== undefined) return false;
  const missing = notInstalled(debianPackage);
  if (process.env.STANDIN_REQUIRE_SERVERS === '1') {
    throw new Error(`${missing}, and STANDIN_REQUIRE_SERVERS=1 wants its tests run`);
  }
  process.stderr.write(`\n!!! ${missing}: the tests that need it are SKIPPED, not passed !!!\n\n`);
  return `${missing}: SKIPPED`;
}

export function notInstalled(debianPackage: string): string {
  return `${debianPackage} is not installed (apt-get install ${debianPackage})`;
}
