import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { isObject } from '../spec/openapi.js';
import { ConfigError } from '../types/config-error.js';

/**
 * A starting fixture from `--state FILE` (YAML or JSON): vendor name to that vendor's state, in
 * the shape `GET /__admin/state/{vendor}` answers, so a state can be saved and loaded again.
 * Vendors it leaves out start from their default fixture.
 */
export async function readFixtureFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the state file ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = parse(text, { prettyErrors: true });
  } catch (error) {
    throw new ConfigError(
      `the state file ${file} is not valid YAML or JSON: ${(error as Error).message}`,
    );
  }
  if (!isObject(value)) {
    throw new ConfigError(
      `the state file ${file} must map vendor names to states, e.g. "thousandeyes: {users: [...]}"`,
    );
  }
  return value;
}
