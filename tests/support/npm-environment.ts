import path from 'node:path';

/**
 * The environment for npm (or a script that calls it) started by a test as a user would start it
 * from a shell. Under `npm test`, this process carries the outer npm's settings for its own
 * scripts (`npm_config_local_prefix` names this checkout, `npm_package_*` its package.json,
 * `npm_config_prefix` the global prefix): an inner npm would read them as its own configuration,
 * and act on this checkout instead of the folder it was started in. npm reads its configuration
 * files itself, so nothing a user has is lost by dropping them.
 */
export function userNpmEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(name) || name === 'INIT_CWD') continue;
    environment[name] = value;
  }
  return {
    ...environment,
    // The node running the tests first: `#!/usr/bin/env node` and npm itself then use it.
    PATH: [path.dirname(process.execPath), environment.PATH ?? ''].join(path.delimiter),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}
