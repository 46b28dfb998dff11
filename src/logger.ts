import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';
export type LogFormat = 'pretty' | 'json' | 'silent';
/** Where log lines go: any stream with a `write` (a Writable, pino's own destination). */
export type LogDestination = DestinationStream;

/** The fields of the one line logged per request; never a header, a query or a body. */
export interface RequestLogLine {
  method: string;
  path: string;
  operationId: string;
  status: number;
  durationMs: number;
  /** Why it was refused, or why its answer broke the spec: one entry per failed check. */
  failures?: LoggedFailure[];
}

export interface LoggedFailure {
  in: string;
  name?: string;
  pointer?: string;
  message: string;
  schemaPath?: string;
}

const REQUEST_FIELDS =
  'method,path,operationId,status,durationMs,vendor,failures,url,baseUrl,ownBaseUrl,adminUrl';

/**
 * Logs go to standard output as JSON lines (for machines) or pretty lines (for people). JSON lines
 * are written asynchronously: a line goes out at once when the output is idle, and lines that
 * come while a write is under way go out together with the next one (a write per line was a tenth
 * of the time under load). The server flushes them when it closes, so nothing is lost.
 */
function failureLine(failure: LoggedFailure): string {
  const where = [failure.in, failure.name, failure.pointer]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  const rule = failure.schemaPath === undefined ? '' : ` (spec ${failure.schemaPath})`;
  return `    ${where}: ${failure.message}${rule}`;
}

/** Standard output as JSON lines go to it: written asynchronously, in order (see createLogger). */
export function stdoutDestination(): LogDestination {
  return pino.destination({ dest: 1, sync: false });
}

export function createLogger(format: LogFormat, destination?: LogDestination): Logger {
  if (format === 'silent') return pino({ level: 'silent' });
  if (format === 'json') {
    return pino(
      { base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
      destination ?? stdoutDestination(),
    );
  }
  const stream = pretty({
    sync: true,
    destination: destination ?? 1,
    colorize: destination === undefined && process.stdout.isTTY,
    translateTime: 'HH:MM:ss.l',
    ignore: `pid,hostname,${REQUEST_FIELDS}`,
    messageFormat: (log, messageKey) => {
      if (typeof log.operationId === 'string') {
        const line = log as unknown as RequestLogLine;
        const head = `${line.method} ${line.path} ${line.operationId} ${line.status} ${line.durationMs}ms`;
        // Like Prism: each failed check on a line of its own, under the request it refused.
        return [head, ...(line.failures ?? []).map(failureLine)].join('\n');
      }
      const message = log[messageKey];
      return typeof message === 'string' ? message : '';
    },
  });
  return pino({ base: undefined }, stream);
}
