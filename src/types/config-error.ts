/**
 * A value standin was given (a flag, an environment variable, an option of createServer, a
 * `--state` file) that it cannot use. A leaf module, so that config, engine and state can all
 * throw it without importing each other; the CLI maps it to exit code 2 (src/cli.ts).
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
