#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { coverageMarkdown } from './admin/coverage.js';
import { violationReport } from './admin/violation-report.js';
import { buildCiReport } from './admin/reports/model.js';
import {
  parseReportRequest,
  REPORT_FORMATS,
  writeReports,
  type ReportRequest,
} from './admin/reports/report-files.js';
import {
  ConfigError,
  DEFAULTS,
  DEFAULT_SPECS_DIR,
  serveOptionsFrom,
  type ServeFlags,
} from './config.js';
import { isLoopbackName } from './engine/host-check.js';
import { checkSpecFiles } from './engine/load-vendors.js';
import { vendorModulesFor } from './handlers/index.js';
import { discoverSpecs } from './spec/discover-specs.js';
import { createAjvPair } from './validators/ajv.js';
import { createLogger, stdoutDestination, type LogDestination, type LogFormat } from './logger.js';
import { writeReadyFile } from './ready-file.js';
import { createServer, type RunningServer } from './server.js';
import { SpecError } from './spec/spec-error.js';
import { packageVersion } from './version.js';
import { DEFAULT_WAIT_SECONDS, waitRequestFrom, waitUntilReady } from './wait.js';

/** What a spec file's name looks like, as `--specs` finds them in a folder. */
const SPEC_LIKE = /\.(ya?ml|json)$/i;

/** The exit code of a start refused for what it was given: a spec, a flag, a fixture. */
const EXIT_UNUSABLE_INPUT = 2;

/** The exit code of a run in which a client or a handler broke the contract (`--fail-on-violation`). */
const EXIT_VIOLATIONS = 3;

/** The command line only parses; the work is done by server.ts and engine/load-vendors.ts. */
const program = new Command()
  .name('standin')
  .description('A stateful mock and contract server generated from OpenAPI specs.')
  .version(packageVersion(), '-V, --version', 'print the version of standin')
  .exitOverride();

program
  .command('serve', { isDefault: true })
  // Prism's users type `prism mock spec.yaml -p 4010`; the same words work here.
  .alias('mock')
  .description('serve every spec, each at /<vendor><server path> (the default command)')
  .argument('[specs...]', 'spec files or directories, as --specs takes them')
  .option(
    '-d, --dynamic',
    'answer vendor requests as if each sent "Prefer: dynamic=true" (generated bodies, no state), as Prism\'s -d; a request\'s own Prefer wins',
  )
  .option(
    '--stateless',
    'keep no state for a spec without handlers: answer from the spec only, instead of from the CRUD resources inferred from its paths (/pets + /pets/{petId})',
  )
  .option('--ready-file <file>', 'once listening, write the URL to this file; removed on stop')
  .option(
    '--watch',
    'reload a changed spec, handler module file or --state file without a restart; a broken change is logged and the last good version keeps serving',
  )
  .option(
    '--lenient',
    'serve specs with problems that do not prevent serving (no info, a response without description, a parameter without schema...): each is logged as a warning instead of stopping the start',
  )
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
    '--mount <name=path>',
    'serve a vendor at this path, e.g. petstore=/api (repeatable; env STANDIN_MOUNTS, comma-separated)',
    collect,
  )
  .option(
    '--base-path <path>',
    'with one spec: serve it at this path (by default its server path, at the root) (env STANDIN_BASE_PATH)',
  )
  .option(
    '--vendor-port <name=port>',
    'serve a vendor also on a port of its own, at its real base path, e.g. wiremock-cloud=4011 (repeatable; env STANDIN_VENDOR_PORT)',
    collect,
  )
  .option(
    '--vendor-ports <first>',
    'serve every vendor also on a port of its own, from this one up, in vendor order (env STANDIN_VENDOR_PORTS)',
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
    '--handlers <dir>',
    'a folder of vendor modules, TypeScript or JavaScript: <vendor>/index.ts or <vendor>.handlers.ts for the spec <vendor>.yaml (without it, <spec name>.handlers.ts or <spec name>/index.ts beside each spec) (env STANDIN_HANDLERS)',
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
  .option(
    '--report <format=file>',
    `on shutdown, write a report CI systems read: ${REPORT_FORMATS.map((format) => `${format}=FILE`).join(', ')} (repeatable)`,
    collectReportRequest,
  )
  .action(async (specs: string[], flags: ServeCommandFlags, command: Command) => {
    // Defaults shown in --help must not hide the environment: only flags typed by the user win.
    const typed: ServeFlags = {};
    for (const key of Object.keys(flags) as Array<keyof ServeFlags>) {
      if (command.getOptionValueSource(key) === 'cli') Object.assign(typed, { [key]: flags[key] });
    }
    const mistyped = specs.find((spec) => !SPEC_LIKE.test(spec) && !existsSync(spec));
    if (mistyped !== undefined) {
      // `serve` is the default command, so `standin valdate` would otherwise read as a spec file.
      throw new ConfigError(
        `"${mistyped}" is neither a command (${program.commands.map((known) => known.name()).join(', ')}) nor a spec file or folder`,
      );
    }
    if (specs.length > 0) typed.specs = [...specs, ...(typed.specs ?? [])];
    const options = serveOptionsFrom(typed);
    let stop: () => void = () => undefined;
    // A signal while starting (a CI job cancelled, or a second listener already answering) must
    // not end the process by node's default, with no report: it is kept, and honoured once
    // standin can stop gracefully.
    let stopAsked = false;
    const askedWhileStarting = (): void => {
      stopAsked = true;
    };
    process.on('SIGINT', askedWhileStarting);
    process.on('SIGTERM', askedWhileStarting);
    // One stream for the server's lines and the last one: two streams on standard output would
    // each write in their own time, and the request that asked for the stop could come last.
    const logDestination =
      (options.log ?? DEFAULTS.log) === 'json' ? stdoutDestination() : undefined;
    const server = await createServer({
      ...options,
      ...(logDestination ? { logDestination } : {}),
      onShutdownRequest: () => stop(),
    });
    const duties: StopDuties = {
      log: options.log ?? DEFAULTS.log,
      ...(logDestination ? { logDestination } : {}),
      removeReadyFile: () => {},
    };
    stop = stopOnSignals(server, flags, duties);
    process.off('SIGINT', askedWhileStarting);
    process.off('SIGTERM', askedWhileStarting);
    if (stopAsked) {
      stop();
      return;
    }
    // Written once signals stop standin through `stop`: their default end would leave the file.
    duties.removeReadyFile = await readyFileFor(server, flags.readyFile);
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
  .option(
    '--lenient',
    'check as serve --lenient loads: problems that do not prevent serving are warnings (exit 0)',
  )
  .option('--handlers <dir>', 'a folder of vendor modules, checked as serve --handlers loads it')
  .action(async (files: string[], flags: { lenient?: boolean; handlers?: string }) => {
    const warnings: string[] = [];
    const warn = (message: string): void => {
      warnings.push(message);
    };
    const inputs = files.length > 0 ? files : [DEFAULT_SPECS_DIR];
    // With the modules serve would load (built-in, beside a spec, --handlers): a handler for an
    // operationId the spec lacks is an error here too.
    const registry = await vendorModulesFor({
      specFiles: await discoverSpecs(inputs),
      ...(flags.handlers === undefined ? {} : { handlersDir: flags.handlers }),
      warn,
    });
    const checks = await checkSpecFiles(inputs, {}, warn, createAjvPair(warn), registry, {
      lenient: flags.lenient === true,
      warn,
    });
    for (const check of checks) {
      if (check.ok) {
        const { vendor } = check;
        const count = vendor.operations.length;
        // As `serve` would place it: alone, at its own server path on the root.
        const servedAt = checks.length === 1 ? vendor.basePath || '/' : vendor.mountPath;
        process.stdout.write(
          `valid    ${check.file} (OpenAPI ${vendor.openapi}, ${count} operation${count === 1 ? '' : 's'}, served at ${servedAt})\n`,
        );
      } else {
        process.stdout.write(`${check.error.format().replace(/^invalid spec/, 'invalid ')}\n`);
      }
    }
    for (const warning of warnings) process.stdout.write(`warning  ${warning}\n`);
    if (checks.some((check) => !check.ok)) process.exitCode = 2;
  });

program
  .command('init')
  .description(
    'write a typed module to start from beside the spec (<spec dir>/<spec name>/: types.ts, index.ts, a test); never overwrites a file',
  )
  .argument('<spec>', 'the spec file')
  .option('--out <dir>', 'write the module here instead')
  .option('--update', 'regenerate types.ts and add a stub to index.ts for each new operation')
  .action(async (spec: string, flags: { out?: string; update?: boolean }) => {
    // Loaded here only: openapi-typescript is heavy, and serve's start must not pay for it.
    const { initModule } = await import('./init/init-module.js');
    const { report } = await initModule({ spec, ...flags });
    process.stdout.write(`${report.join('\n')}\n`);
  });

program
  .command('wait')
  .description(
    'wait until standin answers: exit 0 on a 2xx, 1 at the timeout or as soon as --pid has ended',
  )
  .argument('<url>', 'the URL to poll; without a path, its /__health')
  .option('--timeout <seconds>', `give up after this long (default ${DEFAULT_WAIT_SECONDS})`)
  .option('--pid <pid>', "give up at once when this process (standin's: --pid $!) has ended")
  .action(async (url: string, flags: { timeout?: string; pid?: string }) => {
    const request = waitRequestFrom(url, flags);
    const outcome = await waitUntilReady(request);
    if (outcome.ready) {
      const seconds = (outcome.elapsedMs / 1000).toFixed(1);
      process.stdout.write(
        `standin wait: ${request.url.href} answered ${outcome.status} after ${seconds} s\n`,
      );
    } else {
      process.stderr.write(`standin wait: ${outcome.reason}\n`);
      process.exitCode = 1;
    }
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

/** Commander's way to take a repeatable option: each occurrence is added to the list. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

interface ReportFlags {
  failOnViolation?: boolean;
  coverageReport?: string;
  /** `--report FORMAT=FILE`, each occurrence parsed as it is read. */
  report?: ReportRequest[];
}

/** A usage error (exit 2) for a `--report` that names no known format or no file. */
function collectReportRequest(
  value: string,
  previous: ReportRequest[] | undefined,
): ReportRequest[] {
  try {
    return [...(previous ?? []), parseReportRequest(value)];
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

interface ReadyFlags {
  readyFile?: string;
}

type ServeCommandFlags = ServeFlags & ReportFlags & ReadyFlags;

/** What a stop does besides closing: the ready file goes first, and the last line says it ended. */
interface StopDuties {
  log: LogFormat;
  /** The stream the server logs to, when it is not the default one. */
  logDestination?: LogDestination;
  removeReadyFile: () => void;
}

/** `--ready-file`: written once the server listens; a file that cannot be written stops the start. */
async function readyFileFor(server: RunningServer, file: string | undefined): Promise<() => void> {
  if (file === undefined) return () => undefined;
  try {
    return writeReadyFile(file, server.url);
  } catch (error) {
    await server.close();
    throw new ConfigError(
      `--ready-file ${file} cannot be written: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The last line of a run, after the reports: a CI log then shows that standin stopped on purpose,
 * and with which exit code, rather than leaving the reader to guess whether it crashed or was killed.
 */
async function sayStopped({ log: format, logDestination }: StopDuties): Promise<void> {
  if (format === 'silent') return;
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
  const logger = createLogger(format, logDestination);
  const message = exitCode === 0 ? 'standin stopped' : `standin stopped (exit code ${exitCode})`;
  // Pretty lines show the message only; JSON lines carry the code as a field for machines.
  if (format === 'json') logger.info({ exitCode }, message);
  else logger.info(message);
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
}

/**
 * SIGINT, SIGTERM and `POST /__admin/shutdown` stop the server gracefully; then the reports a CI
 * job asked for are written. A second signal exits at once. Returns the stop, for the control plane.
 */
function stopOnSignals(
  server: RunningServer,
  reports: ReportFlags,
  duties: StopDuties,
): () => void {
  let stopping = false;
  // The run a CI report covers starts once standin listens, which it does by now.
  const startedAt = Date.now();
  const ciReports = reports.report ?? [];
  const stop = (): void => {
    if (stopping) {
      process.stderr.write('standin: stopping again, exiting now\n');
      process.exit(1);
    }
    stopping = true;
    // No longer ready from the first moment: a reader of the file must not send requests now.
    duties.removeReadyFile();
    if (
      reports.coverageReport === undefined &&
      !reports.failOnViolation &&
      ciReports.length === 0
    ) {
      // No report asked for: nothing to read from the store, which may be away.
      void server
        .close()
        .then(() => {
          process.exitCode = 0;
        })
        .then(() => sayStopped(duties));
      return;
    }
    void server
      .shutdown()
      .then(async ({ violations, coverage }) => {
        if (reports.coverageReport !== undefined)
          await writeFile(reports.coverageReport, coverageMarkdown(coverage));
        if (ciReports.length > 0) {
          const report = buildCiReport(coverage, violations, { startedAt, stoppedAt: Date.now() });
          await writeReports(ciReports, report);
        }
        process.exitCode = 0;
        if (reports.failOnViolation) {
          process.stderr.write(violationReport(violations));
          // A breach a negative test declared is listed, but fails no run.
          if (violations.some((violation) => !violation.expected))
            process.exitCode = EXIT_VIOLATIONS;
        }
      })
      .catch((error: unknown) => {
        process.stderr.write(
          `standin: the reports could not be made: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 1;
      })
      .then(() => sayStopped(duties));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return stop;
}

/**
 * A usage error is one line: commander's message, its suggestion (`(Did you mean --port?)`) and
 * where the whole usage is, instead of the whole help, which pushed the mistake off the screen.
 * Set last, on every command, so that each names its own help.
 */
for (const command of [program, ...program.commands]) {
  const help = command === program ? 'standin --help' : `standin ${command.name()} --help`;
  command.configureOutput({
    outputError: (message, write) =>
      write(`${message.trim().replace(/\s*\n\s*/g, ' ')} — see ${help}\n`),
  });
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed the message (or the help); a usage error exits 2, like a bad spec.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof SpecError) {
    process.stderr.write(`standin: ${error.format()}\n`);
    process.exitCode = EXIT_UNUSABLE_INPUT;
  } else if (error instanceof ConfigError) {
    process.stderr.write(`standin: ${error.message}\n`);
    process.exitCode = EXIT_UNUSABLE_INPUT;
  } else {
    process.stderr.write(
      `standin: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
