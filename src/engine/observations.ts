import type { Clock } from '../clock.js';
import { StoreUnavailableError, type RecordWrite, type Store } from '../state/store.js';
import {
  LOST_FIELD,
  lostKey,
  ObservationBuffer,
  type Backlog,
  type Observation,
  type ObservationKind,
} from './observation-buffer.js';
import type { Failure } from '../validators/failure.js';

/** One request as the journal keeps it: what a CI job asks about, never a credential's value. */
export interface JournalEntry {
  /** The virtual clock's time when the request arrived. */
  time: string;
  namespace: string;
  vendor: string | null;
  operationId: string | null;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  /** Which scheme was used and whose credential it was; `fingerprint` is a short hash, not the secret. */
  credential: { scheme: string; principal: string | null; fingerprint: string } | null;
}

/** A break of the contract: by the client (`request`) or by a handler (`response`). */
export interface Violation extends Failure {
  time: string;
  namespace: string;
  direction: 'request' | 'response';
  vendor: string | null;
  operationId: string | null;
  method: string;
  path: string;
  /** The status answered (request side), or the status the handler wanted to send (response side). */
  status: number;
  /**
   * True when the test declared the breach (a negative test, see engine/expected-violations.ts):
   * still recorded, but it fails no `--fail-on-violation` run. Never true on the response side.
   */
  expected: boolean;
  /** The reason the test gave for expecting it, when it gave one. */
  expectedReason?: string;
}

/** What one request leaves: written to the store together, as one batch. */
export interface RequestObservations {
  /** The namespace that keeps them: the request's own, or `default` (see Observations.recordRequest). */
  home: string;
  entry?: JournalEntry;
  /** The documented status it served, for coverage. */
  served?: { vendor: string; operationId: string; statusKey: string };
  violations: readonly Violation[];
}

export interface JournalFilter {
  vendor?: string;
  operationId?: string;
  status?: number;
  method?: string;
  path?: string;
  /** RFC 3339: entries at or after it. */
  since?: string;
}

const VIOLATIONS_KEPT = 10_000;
/** Observations that may wait in the process for the store (about 3 MB of journal entries). */
const BUFFERED_AT_MOST = 10_000;
/** How long a closing process keeps trying to hand its buffered observations to the store. */
const CLOSE_GRACE_MS = 2000;
/** Namespaces whose clock offset is remembered (see `now`); past it, the memory starts again. */
const OFFSETS_KEPT = 1000;

/** Told of each journal entry this process records, with the namespace that keeps it. */
export type JournalListener = (entry: JournalEntry, home: string) => void;

/**
 * What a CI job reads after its tests: the journal of requests (bounded), the violations, and how
 * often each documented status of each operation was served. All per namespace, in the store.
 * Written through a buffer (engine/observation-buffer.ts): while the store is away they wait in
 * the process and follow once it is back, or are counted as lost when too many wait.
 */
export class Observations {
  private readonly buffer: ObservationBuffer;
  /** Per namespace, the virtual clock minus real time, as last seen by this process. */
  private readonly clockOffsets = new Map<string, number>();
  /** Requests answered whose observations are still being gathered (see `record`). */
  private readonly gathering = new Set<Promise<void>>();
  /** The live journal's streams (admin/journal-stream.ts): this process's entries only. */
  private readonly journalListeners = new Set<JournalListener>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly journalSize: number,
    bufferCapacity = BUFFERED_AT_MOST,
  ) {
    this.buffer = new ObservationBuffer(store, { capacity: bufferCapacity });
  }

  /**
   * `home` is the namespace whose journal keeps the entry: its own, or `default` for a request
   * that named a namespace which does not exist (a 404 makes none, see NamespaceRegistry).
   */
  recordRequest(entry: JournalEntry, home = entry.namespace): Promise<void> {
    this.announce(entry, home);
    return this.buffer.submit({
      namespace: home,
      kind: 'journal',
      entries: 1,
      writes: [
        { kind: 'append', key: `${home}/journal`, value: entry, max: this.journalSize },
        { kind: 'increment', key: 'namespaces', field: home, by: 1 },
      ],
    });
  }

  /**
   * One answered request's observations, once `gathered` (the record step may still read the
   * store: the clock, a namespace's mark of expected violations). Nobody answering waits for it;
   * a reader of the journal, violations or coverage does, so an answer is counted as soon as it
   * is seen.
   */
  record(gathered: Promise<RequestObservations | undefined>): Promise<void> {
    const done = gathered.then((observed) => {
      if (!observed) return undefined;
      if (observed.entry) this.announce(observed.entry, observed.home);
      return this.buffer.submit(observationOf(observed, this.journalSize));
    });
    this.gathering.add(done);
    const forget = (): void => {
      this.gathering.delete(done);
    };
    done.then(forget, forget);
    return done;
  }

  /**
   * Calls `listener` with each journal entry this process records from now on, as it is handed
   * to the store (not once written: a stream shows it even while the store is away). Entries of
   * other replicas sharing the store are not seen. Answers the unsubscription.
   */
  onJournalEntry(listener: JournalListener): () => void {
    this.journalListeners.add(listener);
    return () => {
      this.journalListeners.delete(listener);
    };
  }

  private announce(entry: JournalEntry, home: string): void {
    for (const listener of this.journalListeners) {
      // A listener's failure is its own: the request's observations are still written.
      try {
        listener(entry, home);
      } catch {
        this.journalListeners.delete(listener);
      }
    }
  }

  /** What waits in this process for the store, and what it lost since it started. */
  backlog(): Backlog {
    return this.buffer.backlog();
  }

  /** Journal entries of the namespace lost by any replica (see ObservationBuffer). */
  async lostRequests(namespace: string): Promise<number> {
    await this.settle();
    return (await this.store.counters(lostKey(namespace, 'journal')))[LOST_FIELD] ?? 0;
  }

  /**
   * The virtual clock's time. While the store is away it cannot be read; a journal entry then
   * takes real time plus the offset this process last saw for the namespace (see `noteClock`),
   * rather than being lost. Off only if another replica moved that clock since.
   */
  async now(namespace: string): Promise<Date> {
    try {
      return await this.clock.now(namespace);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      return new Date(Date.now() + (this.clockOffsets.get(namespace) ?? 0));
    }
  }

  /** The virtual clock read `virtual` at the real time `realMs`: remembered for `now`. */
  noteClock(namespace: string, virtual: Date, realMs: number): void {
    if (this.clockOffsets.size >= OFFSETS_KEPT && !this.clockOffsets.has(namespace))
      this.clockOffsets.clear();
    this.clockOffsets.set(namespace, virtual.getTime() - realMs);
  }

  /** Resolves once every observation of a request answered before the call has reached the store (or failed to). */
  private async settle(): Promise<void> {
    if (this.gathering.size > 0) await Promise.allSettled([...this.gathering]);
    await this.buffer.settle();
  }

  /** Tries for a while to hand what waits to the store; answers how many entries were lost. */
  async close(): Promise<number> {
    // A request answered just before: its observations first (the store's own timeout bounds it).
    if (this.gathering.size > 0) await Promise.allSettled([...this.gathering]);
    return this.buffer.close(CLOSE_GRACE_MS);
  }

  async journal(namespace: string, filter: JournalFilter = {}): Promise<JournalEntry[]> {
    const since = filter.since === undefined ? undefined : Date.parse(filter.since);
    // This process's own entries first: a count just after an answer includes that answer.
    await this.settle();
    return (await this.store.list<JournalEntry>(`${namespace}/journal`)).filter(
      (entry) =>
        (filter.vendor === undefined || entry.vendor === filter.vendor) &&
        (filter.operationId === undefined || entry.operationId === filter.operationId) &&
        (filter.status === undefined || entry.status === filter.status) &&
        (filter.method === undefined || entry.method === filter.method.toUpperCase()) &&
        (filter.path === undefined || entry.path === filter.path) &&
        (since === undefined || Date.parse(entry.time) >= since),
    );
  }

  /** Empties the journal and its count of lost entries (`lostKey` shares the prefix). */
  async clearJournal(namespace: string): Promise<void> {
    // What this process still holds from before the clear must not reappear after it.
    await this.settle();
    await this.store.deletePrefix(`${namespace}/journal`);
  }

  async violations(namespace: string): Promise<Violation[]> {
    await this.settle();
    return this.store.list<Violation>(`${namespace}/violations`);
  }

  async clearViolations(namespace: string): Promise<void> {
    await this.settle();
    await this.store.deletePrefix(`${namespace}/violations`);
  }

  /** Times served, by vendor, operationId and documented status key. */
  async served(namespace: string): Promise<Map<string, number>> {
    await this.settle();
    return new Map(Object.entries(await this.store.counters(`${namespace}/coverage`)));
  }

  async clearCoverage(namespace: string): Promise<void> {
    await this.settle();
    await this.store.deletePrefix(`${namespace}/coverage`);
  }

  /** Every namespace that has been used, the default first. */
  async namespaces(): Promise<string[]> {
    const used = Object.keys(await this.store.counters('namespaces'));
    return ['default', ...used.filter((namespace) => namespace !== 'default').sort()];
  }
}

/** One request's journal entry, coverage count and violations as one batch of writes. */
function observationOf(observed: RequestObservations, journalSize: number): Observation {
  const { home, entry, served, violations } = observed;
  const writes: RecordWrite[] = [];
  const parts: Array<{ kind: ObservationKind; entries: number }> = [];
  if (entry) {
    writes.push({ kind: 'append', key: `${home}/journal`, value: entry, max: journalSize });
    parts.push({ kind: 'journal', entries: 1 });
  }
  for (const violation of violations) {
    writes.push({
      kind: 'append',
      key: `${home}/violations`,
      value: violation,
      max: VIOLATIONS_KEPT,
    });
  }
  if (violations.length > 0) parts.push({ kind: 'violations', entries: violations.length });
  if (served) {
    const field = coverageField(served.vendor, served.operationId, served.statusKey);
    writes.push({ kind: 'increment', key: `${home}/coverage`, field, by: 1 });
    parts.push({ kind: 'coverage', entries: 1 });
  }
  // A journal entry counts a request of the namespace; violations alone only make it known.
  if (entry || violations.length > 0)
    writes.push({ kind: 'increment', key: 'namespaces', field: home, by: entry ? 1 : 0 });
  const [first, ...alongside] = parts;
  return {
    namespace: home,
    kind: first?.kind ?? 'journal',
    entries: first?.entries ?? 0,
    ...(alongside.length > 0 ? { alongside } : {}),
    writes,
  };
}

export function coverageField(vendor: string, operationId: string, statusKey: string): string {
  return `${vendor} ${operationId} ${statusKey}`;
}
