import { Writable } from 'node:stream';
import { createServer, type RunningServer, type ServerOptions } from '../../src/index.js';

/** A standin started for one test file, with its JSON log lines kept for assertions. */
export interface TestServer extends RunningServer {
  logLines(): Array<Record<string, unknown>>;
  rawLog(): string;
}

export async function startStandin(options: ServerOptions = {}): Promise<TestServer> {
  const chunks: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const server = await createServer({ port: 0, log: 'json', logDestination, ...options });
  return {
    ...server,
    rawLog: () => chunks.join(''),
    logLines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Valid ids for GoRules' uuid path parameters. */
export const PROJECT_ID = '5a8591dd-4039-49df-9202-96385ba3eff8';
export const ENVIRONMENT_ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
