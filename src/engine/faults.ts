import { randomUUID } from 'node:crypto';
import type { Store } from '../state/store.js';

/**
 * When a fault strikes: `before-commit`, before the handler runs (nothing changes); or
 * `after-commit`, once the handler has done its work (a rotation has happened, the old token is
 * revoked) but before its answer leaves, so the client never learns the new token. That second
 * kind is the real danger for a rotation client, and what a test of its recovery needs.
 */
export type FaultPhase = 'before-commit' | 'after-commit';

export interface FaultRequest {
  vendor: string;
  /** Every operation of the vendor when left out. */
  operationId?: string;
  /** Answer this documented status instead (its body from the spec's example or schema). */
  status?: number;
  /** Wait this long (ms) first. */
  delayMs?: number;
  /** Reset the connection instead of answering. */
  reset?: boolean;
  phase?: FaultPhase;
  /** How many calls it strikes; every call until cleared when left out. */
  times?: number;
}

export interface Fault {
  id: string;
  vendor: string;
  operationId: string | null;
  status: number | null;
  delayMs: number;
  reset: boolean;
  phase: FaultPhase;
  /** Calls it will still strike; null: until cleared. */
  remaining: number | null;
}

/** Faults a namespace holds at once: each call scans them, and a test sets a handful. */
export const MAX_FAULTS = 100;

/** The faults of each namespace, in the store: the first that matches a call strikes it. */
export class Faults {
  constructor(private readonly store: Store) {}

  /** The fault as set, or undefined when the namespace already holds MAX_FAULTS. */
  async add(namespace: string, request: FaultRequest): Promise<Fault | undefined> {
    const fault: Fault = {
      id: randomUUID(),
      vendor: request.vendor,
      operationId: request.operationId ?? null,
      status: request.status ?? null,
      delayMs: request.delayMs ?? 0,
      reset: request.reset ?? false,
      phase: request.phase ?? 'before-commit',
      remaining: request.times ?? null,
    };
    return this.store.update<Fault[], Fault | undefined>(key(namespace), (current) =>
      (current ?? []).length >= MAX_FAULTS
        ? { result: undefined }
        : { value: [...(current ?? []), fault], result: fault },
    );
  }

  async list(namespace: string): Promise<Fault[]> {
    return (await this.store.get<Fault[]>(key(namespace))) ?? [];
  }

  async clear(namespace: string): Promise<void> {
    await this.store.deletePrefix(key(namespace));
  }

  /** The first fault for this call and phase, counted down (and gone once used up). */
  async take(
    namespace: string,
    vendor: string,
    operationId: string,
    phase: FaultPhase,
  ): Promise<Fault | undefined> {
    return this.takeFrom(await this.list(namespace), namespace, vendor, operationId, phase);
  }

  /**
   * `take`, given the faults as the request read them with the rest of its namespace
   * (engine/namespace-snapshot.ts): most calls meet no fault at all, and that costs no store call.
   * When one matches, it is taken from the faults as they are now, atomically.
   */
  async takeFrom(
    seen: readonly Fault[],
    namespace: string,
    vendor: string,
    operationId: string,
    phase: FaultPhase,
  ): Promise<Fault | undefined> {
    const matches = (fault: Fault): boolean =>
      fault.vendor === vendor &&
      fault.phase === phase &&
      (fault.operationId === null || fault.operationId === operationId);
    if (!seen.some(matches)) return undefined;
    return this.store.update<Fault[], Fault | undefined>(key(namespace), (current) => {
      const faults = current ?? [];
      const index = faults.findIndex(matches);
      const fault = faults[index];
      if (fault === undefined) return { result: undefined };
      const remaining = fault.remaining === null ? null : fault.remaining - 1;
      const next =
        remaining === 0
          ? faults.filter((_, position) => position !== index)
          : faults.map((candidate, position) =>
              position === index ? { ...candidate, remaining } : candidate,
            );
      return { value: next, result: fault };
    });
  }
}

/** Where a namespace's faults are in the store. */
export function faultsKey(namespace: string): string {
  return `${namespace}/faults`;
}

const key = faultsKey;
