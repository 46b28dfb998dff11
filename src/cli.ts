#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { coverageMarkdown } from './admin/coverage.js';
import { violationReport } from './admin/violation-report.js';
import {
  ConfigError,
  DEFAULTS,
  DEFAULT_SPECS_DIR,
  serveOptionsFrom,
  type ServeFlags,
} from './config.js';
import { isLoopbackName } from './engine/host-check.js';
import { checkSpecFiles } from './engine/load-vendors.js';
import { createServer, type RunningServer } from './server.js';
import { SpecError } from './spec/spec-error.js';

/** The exit code of a run in which a client or a handler broke the contract (`--fail-on-violation`). */
const EXIT_VIOLATIONS = 3;

/** The command line only parses; the work is done by server.ts and engine/load-vendors.ts. */
const program = new Command()
  .name('standin')
  .description('A stateful mock and contract server generated from OpenAPI specs.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('serve', { isDefault: true })
  .description('serve every spec, each at /<vendor><server path> (the default command)')
  .addOption(
    new Option(
      '-p, --port <port>',
      `port to listen on; 0 picks a free one (env STANDIN_PORT)`,
    ).default(String(DEFAULTS.port)),
  )
  .addOption(
    new Option('-H, --host <host>', 'address to listen on (env STANDIN_HOST)').default(
      DEFAULTS.host,
    ),
  )
  .addOption(
    new Option(
      '-s, --specs <paths...>',
      'spec files or directories (env STANDIN_SPECS, comma-separated)',
    ).default(undefined, 'the bundled specs/'),
  )
  .option('--no-cors', 'do not answer CORS preflights or add CORS headers (env STANDIN_CORS=false)')
  .option(
    '--cors-origins <origins>',
    'comma-separated origins (http://localhost:5173) whose pages may call the control plane; when given, the only ones that may call the vendors (env STANDIN_CORS_ORIGINS)',
  )
  .option(
    '--allowed-hosts <hosts>',
    'comma-separated Host names accepted besides loopback ones (.example.test for a domain), or all (env STANDIN_ALLOWED_HOSTS)',
  )
  .option(
    '--max-namespaces <n>',
    `namespaces held at once (env STANDIN_MAX_NAMESPACES, default ${DEFAULTS.maxNamespaces})`,
  )
  .addOption(
    new Option('--log <format>', 'log format (env STANDIN_LOG)')
      .choices(['pretty', 'json', 'silent'])
      .default(DEFAULTS.log),
  )
  .addOption(
    new Option(
      '--body-limit <size>',
      'largest request body, e.g. 1mb or 65536 (env STANDIN_BODY_LIMIT)',
    ).default('1mb'),
  )
  .option(
    '--rate-limits [vendors]',
    "switch on the vendors' documented rate limits: all, or comma-separated vendors (env STANDIN_RATE_LIMITS)",
  )
  .option(
    '--state <file>',
    'starting fixture, YAML or JSON, instead of the default one (env STANDIN_STATE)',
  )
  .option(
    '--admin-token <token>',
    'protect the control plane: its calls must send "Authorization: Bearer <token>" (env STANDIN_ADMIN_TOKEN)',
  )
  .option(
    '--max-connections <n>',
    `connections open at once; past it the longest idle one is closed (env STANDIN_MAX_CONNECTIONS, default ${DEFAULTS.maxConnections})`,
  )
  .option(
    '--request-timeout <ms>',
    `longest a client may take to send a request (env STANDIN_REQUEST_TIMEOUT, default ${DEFAULTS.requestTimeoutMs})`,
  )
  .option(
    '--store <url>',
    'where state lives: memory, or redis://HOST:PORT/DB shared by replicas (env STANDIN_STORE, default memory)',
  )
  .option(
    '--journal-size <n>',
    `requests the journal keeps per namespace (env STANDIN_JOURNAL_SIZE, default ${DEFAULTS.journalSize})`,
  )
  .option(
    '--fail-on-violation',
    `on shutdown, print every contract violation and exit ${EXIT_VIOLATIONS} if there was one`,
  )
  .option(
    '--coverage-report <file>',
    'on shutdown, write which documented statuses were served, as Markdown',
  )
  .action(async (flags: ServeFlags & ReportFlags, command: Command) => {
    // Defaults shown in --help must not hide the environment: only flags typed by the user win.
    const typed: ServeFlags = {};
    for (const key of Object.keys(flags) as Array<keyof ServeFlags>) {
      if (command.getOptionValueSource(key) === 'cli') Object.assign(typed, { [key]: flags[key] });
    }
    const options = serveOptionsFrom(typed);
    let stop: () => void = () => undefined;
    const server = await createServer({ ...options, onShutdownRequest: () => stop() });
    stop = stopOnSignals(server, flags);
    if ((options.log ?? DEFAULTS.log) === 'pretty') {
      const sharedStore = (options.store ?? 'memory') !== 'memory';
      await printCredentials(server, sharedStore);
    }
  });

program
  .command('validate')
  .description(
    'check spec files as serve would (parse, OpenAPI schema, references, schemas); exit 0 if all are valid, 2 if not',
  )
  .argument('[files...]', 'spec files or directories', [])
  .action(async (files: string[]) => {
    const warnings: string[] = [];
    const checks = await checkSpecFiles(
      files.length > 0 ? files : [DEFAULT_SPECS_DIR],
      {},
      (message) => warnings.push(message),
    );
    for (const check of checks) {
      if (check.ok) {
        const { vendor } = check;
        const count = vendor.operations.length;
        process.stdout.write(
          `valid    ${check.file} (OpenAPI ${vendor.openapi}, ${count} operation${count === 1 ? '' : 's'}, served at ${vendor.mountPath})\n`,
        );
      } else {
        process.stdout.write(`${check.error.format().replace(/^invalid spec/, 'invalid ')}\n`);
      }
    }
    for (const warning of warnings) process.stdout.write(`warning  ${warning}\n`);
    if (checks.some((check) => !check.ok)) process.exitCode = 2;
  });

/**
 * For a person at a terminal: one ready-to-use credential per vendor (the fixture's own, fake
 * values), only where nobody else can be reading them: in pretty mode (JSON logs, which machines
 * keep, never carry a credential), on a loopback address, with this process's own memory store.
 * On a shared store (Redis) the credentials are every replica's, possibly rotated by a test into
 * real-looking secrets; on a network address the terminal's output may be a shared CI log.
 */
async function printCredentials(server: RunningServer, sharedStore: boolean): Promise<void> {
  const listing = `GET ${server.adminUrl}/credentials`;
  if (sharedStore || !isLoopbackName(server.host)) {
    const why = sharedStore ? 'the store is shared' : `${server.host} is not a loopback address`;
    process.stdout.write(`\nCredentials are not printed (${why}): ${listing} lists them.\n\n`);
    return;
  }
  const credentials = await server.credentials();
  const lines = server.vendors.map((vendor) => {
    const credential = credentials.find((candidate) => candidate.vendor === vendor.name);
    const header = credential ? `${credential.header}: ${credential.value}` : '(none needed)';
    return `  ${vendor.name.padEnd(18)} ${header}`;
  });
  process.stdout.write(
    `\nReady-to-use credentials (all of them: ${listing}):\n${lines.join('\n')}\n\n`,
  );
}

interface ReportFlags {
  failOnViolation?: boolean;
  coverageReport?: string;
}

/**
 * SIGINT, SIGTERM and `POST /__admin/shutdown` stop the server gracefully; then the reports a CI
 * job asked for are written. A second signal exits at once. Returns the stop, for the control plane.
 */
function stopOnSignals(server: RunningServer, reports: ReportFlags): () => void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      process.stderr.write('standin: stopping again, exiting now\n');
      process.exit(1);
    }
    stopping = true;
    if (reports.coverageReport === undefined && !reports.failOnViolation) {
      // No report asked for: nothing to read from the store, which may be away.
      void server.close().then(() => {
        process.exitCode = 0;
      });
      return;
    }
    void server
      .shutdown()
      .then(async ({ violations, coverage }) => {
        if (reports.coverageReport !== undefined)
          await writeFile(reports.coverageReport, coverageMarkdown(coverage));
        process.exitCode = 0;
        if (reports.failOnViolation) {
          process.stderr.write(violationReport(violations));
          if (violations.length > 0) process.exitCode = EXIT_VIOLATIONS;
        }
      })
      .catch((error: unknown) => {
        process.stderr.write(
          `standin: the reports could not be made: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 1;
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return stop;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed the message (or the help); a usage error exits 2, like a bad spec.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof SpecError) {
    process.stderr.write(`standin: ${error.format()}\n`);
    process.exitCode = error.exitCode;
  } else if (error instanceof ConfigError) {
    process.stderr.write(`standin: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(
      `standin: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
