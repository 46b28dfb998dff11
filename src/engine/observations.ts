import type { Clock } from '../clock.js';
import type { Store } from '../state/store.js';
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

/**
 * What a CI job reads after its tests: the journal of requests (bounded), the violations, and how
 * often each documented status of each operation was served. All per namespace, in the store.
 */
export class Observations {
  constructor(
    private readonly store: Store,
    readonly clock: Clock,
    private readonly journalSize: number,
  ) {}

  async recordRequest(entry: JournalEntry): Promise<void> {
    await this.store.append(`${entry.namespace}/journal`, entry, this.journalSize);
    await this.store.increment('namespaces', entry.namespace);
  }

  async recordViolations(violations: readonly Violation[]): Promise<void> {
    for (const violation of violations) {
      await this.store.append(`${violation.namespace}/violations`, violation, VIOLATIONS_KEPT);
      await this.store.increment('namespaces', violation.namespace, 0);
    }
  }

  async countServed(
    namespace: string,
    vendor: string,
    operationId: string,
    statusKey: string,
  ): Promise<void> {
    await this.store.increment(
      `${namespace}/coverage`,
      coverageField(vendor, operationId, statusKey),
    );
  }

  async journal(namespace: string, filter: JournalFilter = {}): Promise<JournalEntry[]> {
    const since = filter.since === undefined ? undefined : Date.parse(filter.since);
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

  async clearJournal(namespace: string): Promise<void> {
    await this.store.deletePrefix(`${namespace}/journal`);
  }

  async violations(namespace: string): Promise<Violation[]> {
    return this.store.list<Violation>(`${namespace}/violations`);
  }

  async clearViolations(namespace: string): Promise<void> {
    await this.store.deletePrefix(`${namespace}/violations`);
  }

  /** Times served, by vendor, operationId and documented status key. */
  async served(namespace: string): Promise<Map<string, number>> {
    return new Map(Object.entries(await this.store.counters(`${namespace}/coverage`)));
  }

  async clearCoverage(namespace: string): Promise<void> {
    await this.store.deletePrefix(`${namespace}/coverage`);
  }

  /** Every namespace that has been used, the default first. */
  async namespaces(): Promise<string[]> {
    const used = Object.keys(await this.store.counters('namespaces'));
    return ['default', ...used.filter((namespace) => namespace !== 'default').sort()];
  }
}

export function coverageField(vendor: string, operationId: string, statusKey: string): string {
  return `${vendor} ${operationId} ${statusKey}`;
}
