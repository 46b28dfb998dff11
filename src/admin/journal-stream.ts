import type { IncomingMessage, ServerResponse } from 'node:http';
import { NAMESPACE_HEADER, namespaceOf } from '../engine/namespace.js';
import type { JournalEntry, Observations } from '../engine/observations.js';
import { problems } from '../engine/problem.js';
import { sendProblem } from '../engine/send.js';

/** Streams open at once, over every port of the process: each holds a connection and a listener. */
export const MAX_JOURNAL_STREAMS = 32;
/** A comment this often keeps proxies and idle timers from closing a quiet stream. */
export const KEEP_ALIVE_MS = 15_000;

interface OpenStream {
  response: ServerResponse;
  end(): void;
}

/**
 * `GET /__admin/requests/stream`: the journal live, as server-sent events. Answered by the request
 * listener (app.ts) past the control plane's own guards (Host, origin, admin token), not by the
 * pipeline: an answer that never ends cannot be a handler's result.
 *
 * First the namespace's journal as `GET /__admin/requests` lists it, then each entry this process
 * records (engine/observations.ts `onJournalEntry`). A replica sharing the store with others sees
 * only its own requests live; the others' appear in `GET /__admin/requests`.
 */
export class JournalStreams {
  private readonly open = new Set<OpenStream>();

  constructor(
    private readonly observations: Observations,
    private readonly keepAliveMs = KEEP_ALIVE_MS,
    private readonly max = MAX_JOURNAL_STREAMS,
  ) {}

  get size(): number {
    return this.open.size;
  }

  serve(request: IncomingMessage, response: ServerResponse, path: string, query: string): void {
    const namespace = requestedNamespace(request, query);
    if (namespace === undefined) {
      sendProblem(response, {
        ...problems.controlPlane(400, 'the namespace is not a valid namespace name'),
        instance: path,
      });
      return;
    }
    if (this.open.size >= this.max) {
      sendProblem(
        response,
        {
          ...problems.controlPlane(
            503,
            `${this.max} journal streams are open already; close one and try again`,
          ),
          instance: path,
        },
        { 'retry-after': '1' },
      );
      return;
    }
    this.start(response, namespace);
  }

  /** Ends every open stream: the server is closing, and an open stream would hold it. */
  closeAll(): void {
    for (const stream of [...this.open]) stream.end();
  }

  private start(response: ServerResponse, namespace: string): void {
    // Entries recorded while the journal is read wait here, and are sent after it unless it held them.
    let pending: JournalEntry[] | undefined = [];
    const send = (entry: JournalEntry): void => {
      response.write(`event: request\ndata: ${JSON.stringify(entry)}\n\n`);
    };
    const unsubscribe = this.observations.onJournalEntry((entry, home) => {
      if (home !== namespace) return;
      if (pending) pending.push(entry);
      else send(entry);
    });
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), this.keepAliveMs);
    keepAlive.unref();
    let ended = false;
    const stream: OpenStream = {
      response,
      end: () => {
        if (ended) return;
        ended = true;
        clearInterval(keepAlive);
        unsubscribe();
        this.open.delete(stream);
        if (!response.writableEnded) response.end();
      },
    };
    this.open.add(stream);
    response.on('close', () => stream.end());

    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // For a proxy that buffers (nginx): the events must pass as they come.
      'x-accel-buffering': 'no',
    });
    // Headers now, so that the client knows the stream is open before the first entry.
    response.flushHeaders();

    this.observations.journal(namespace).then(
      (entries) => {
        if (ended) return;
        const listed = new Set(entries.map((entry) => JSON.stringify(entry)));
        for (const entry of entries) send(entry);
        const waiting = pending ?? [];
        pending = undefined;
        for (const entry of waiting) if (!listed.has(JSON.stringify(entry))) send(entry);
      },
      (error: unknown) => {
        // The store is away: say so as a comment, and end; the page reconnects later.
        if (ended) return;
        const message = error instanceof Error ? error.message : String(error);
        response.write(`: the journal could not be read: ${message.replace(/[\r\n]+/g, ' ')}\n\n`);
        stream.end();
      },
    );
  }
}

/** `X-Standin-Namespace`, or `?namespace=` (an EventSource cannot send headers); undefined when invalid. */
function requestedNamespace(request: IncomingMessage, query: string): string | undefined {
  const fromQuery = new URLSearchParams(query).get('namespace');
  // Judged as the header would be: one rule for what a namespace name may be.
  return namespaceOf(fromQuery === null ? request.headers : { [NAMESPACE_HEADER]: fromQuery });
}

const registries = new WeakMap<Observations, JournalStreams>();

/** The process's streams: one registry per Observations, so every port and reload shares the limit. */
export function journalStreamsOf(observations: Observations): JournalStreams {
  let streams = registries.get(observations);
  if (!streams) {
    streams = new JournalStreams(observations);
    registries.set(observations, streams);
  }
  return streams;
}
