import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Clock } from '../clock.js';
import type { StateDefinition, StateAccess, VendorModule } from '../handlers/types.js';
import { failuresFromAjv, type Failure } from '../validators/failure.js';
import type { Decision, Store } from './store.js';

/** A state that does not match its vendor's state schema (from `--state` or the control plane). */
export class StateError extends Error {
  override name = 'StateError';
  constructor(
    message: string,
    readonly failures: Failure[] = [],
  ) {
    super(message);
  }
}

interface Entry {
  definition: StateDefinition<unknown>;
  validate: ValidateFunction;
  /** From `--state FILE`, when it gives this vendor; otherwise the module's default fixture. */
  fixture?: unknown;
}

/**
 * Every vendor's state, per namespace, in the store, created from the starting fixture at a reset
 * (and, for a namespace never reset, the first time it is needed).
 */
export class VendorStates {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    modules: ReadonlyMap<string, VendorModule>,
    compile: (schema: object) => ValidateFunction,
    fixtures: Readonly<Record<string, unknown>> = {},
  ) {
    for (const [vendor, module] of modules) {
      if (!module.state) continue;
      const entry: Entry = { definition: module.state, validate: compile(module.state.schema) };
      if (vendor in fixtures) {
        entry.fixture = this.checked(vendor, entry, fixtures[vendor]);
      }
      this.entries.set(vendor, entry);
    }
    const unknown = Object.keys(fixtures).filter((vendor) => !this.entries.has(vendor));
    if (unknown.length > 0) {
      throw new StateError(
        `the state names ${unknown.join(', ')}, which no loaded vendor keeps state for`,
      );
    }
  }

  vendors(): string[] {
    return [...this.entries.keys()];
  }

  has(vendor: string): boolean {
    return this.entries.has(vendor);
  }

  access<S>(namespace: string, vendor: string): StateAccess<S> {
    return {
      read: () => this.read<S>(namespace, vendor),
      update: <R>(decide: (state: S) => Decision<S, R>) => this.update(namespace, vendor, decide),
    };
  }

  async read<S>(namespace: string, vendor: string): Promise<S> {
    const current = await this.store.get<S>(key(namespace, vendor));
    return current ?? this.seed<S>(namespace, vendor);
  }

  async update<S, R>(
    namespace: string,
    vendor: string,
    decide: (state: S) => Decision<S, R>,
  ): Promise<R> {
    await this.read(namespace, vendor); // creates the state from its fixture if it is not there yet
    return this.store.update<S, R>(key(namespace, vendor), (current) => {
      if (current === undefined)
        throw new StateError(`the state of ${vendor} was reset during the request`);
      return decide(current);
    });
  }

  /** Replaces a vendor's state, after checking it against the vendor's state schema. */
  async replace(namespace: string, vendor: string, value: unknown): Promise<void> {
    const entry = this.entry(vendor);
    await this.store.set(key(namespace, vendor), this.checked(vendor, entry, value));
  }

  /**
   * Back to the starting fixture, built at the clock's time now: a default fixture's tokens are
   * issued at the reset, not whenever a vendor is next called.
   */
  async reset(namespace: string): Promise<void> {
    await this.store.deletePrefix(`${namespace}/vendor/`);
    for (const vendor of this.entries.keys()) await this.seed(namespace, vendor);
  }

  /**
   * Creates every vendor state the store does not hold yet, and keeps the ones it does: a replica
   * that starts (or restarts) next to others on a shared store must not reset their state.
   */
  async seedMissing(namespace: string): Promise<void> {
    for (const vendor of this.entries.keys()) await this.read(namespace, vendor);
  }

  private async seed<S>(namespace: string, vendor: string): Promise<S> {
    const entry = this.entry(vendor);
    const initial = (entry.fixture ??
      this.checked(vendor, entry, entry.definition.initial(await this.clock.now(namespace)))) as S;
    // Two requests may both find no state; the first to write wins and both use its value.
    return this.store.update<S, S>(key(namespace, vendor), (current) =>
      current === undefined
        ? { value: structuredClone(initial), result: initial }
        : { result: current },
    );
  }

  private entry(vendor: string): Entry {
    const entry = this.entries.get(vendor);
    if (!entry) throw new StateError(`${vendor} keeps no state`);
    return entry;
  }

  private checked(vendor: string, entry: Entry, value: unknown): unknown {
    if (!entry.validate(value)) {
      const failures = failuresFromAjv(entry.validate.errors, 'body', `#/${vendor}`);
      const list = failures
        .map((failure) => `${failure.pointer || '/'} ${failure.message}`)
        .join('; ');
      throw new StateError(`the state of ${vendor} is not valid: ${list}`, failures);
    }
    return value;
  }
}

function key(namespace: string, vendor: string): string {
  return `${namespace}/vendor/${vendor}`;
}
