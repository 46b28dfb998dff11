import { DateTime, Duration } from 'luxon';
import type { Store } from './state/store.js';

/**
 * The virtual clock: real time plus an offset, or frozen at an instant. Handlers and credential
 * checks read time only from here, so a test can move through a 14-day grace period in one call.
 * Its state lives in the store, so every replica sharing a store shares the clock.
 */
export interface ClockState {
  /** Milliseconds added to real time. */
  offsetMs: number;
  /** When frozen, the instant (epoch ms) the clock stands at. */
  frozenAt?: number;
}

export interface ClockReading {
  now: string;
  offsetMs: number;
  frozen: boolean;
}

export class ClockError extends Error {
  override name = 'ClockError';
}

export class Clock {
  constructor(
    private readonly store: Store,
    private readonly realNow: () => number = Date.now,
  ) {}

  async now(namespace: string): Promise<Date> {
    return new Date(instantOf(await this.state(namespace), this.realNow()));
  }

  async read(namespace: string): Promise<ClockReading> {
    const state = await this.state(namespace);
    return {
      now: new Date(instantOf(state, this.realNow())).toISOString(),
      offsetMs: state.frozenAt === undefined ? state.offsetMs : state.frozenAt - this.realNow(),
      frozen: state.frozenAt !== undefined,
    };
  }

  /**
   * Moves the clock forward by an ISO 8601 duration (`P14DT1H`). Years, months and days are
   * calendar units in UTC: 31 January plus `P1M` is 28 February.
   */
  async advance(namespace: string, text: string): Promise<ClockReading> {
    const duration = Duration.fromISO(text);
    if (!duration.isValid || !/\d/.test(text) || text.startsWith('-') || duration.toMillis() < 0) {
      throw new ClockError(`"${text}" is not a forward ISO 8601 duration such as P14D or PT1H30M`);
    }
    await this.store.update<ClockState, null>(key(namespace), (current) => {
      const state = current ?? { offsetMs: 0 };
      const from = instantOf(state, this.realNow());
      const to = DateTime.fromMillis(from, { zone: 'utc' }).plus(duration).toMillis();
      const next: ClockState =
        state.frozenAt === undefined
          ? { offsetMs: state.offsetMs + (to - from) }
          : { offsetMs: 0, frozenAt: to };
      return { value: next, result: null };
    });
    return this.read(namespace);
  }

  /** Sets the clock to an instant; `frozen` stops it there (it runs on from there otherwise). */
  async set(namespace: string, instant: string, frozen = false): Promise<ClockReading> {
    const target = Date.parse(instant);
    if (Number.isNaN(target)) throw new ClockError(`"${instant}" is not an RFC 3339 date-time`);
    const value: ClockState = frozen
      ? { offsetMs: 0, frozenAt: target }
      : { offsetMs: target - this.realNow() };
    await this.store.set(key(namespace), value);
    return this.read(namespace);
  }

  /** Stops the clock where it stands (true) or lets it run on from there (false). */
  async freeze(namespace: string, frozen: boolean): Promise<ClockReading> {
    const now = instantOf(await this.state(namespace), this.realNow());
    const value: ClockState = frozen
      ? { offsetMs: 0, frozenAt: now }
      : { offsetMs: now - this.realNow() };
    await this.store.set(key(namespace), value);
    return this.read(namespace);
  }

  /** Back to real time. */
  async reset(namespace: string): Promise<void> {
    const value: ClockState = { offsetMs: 0 };
    await this.store.set(key(namespace), value);
  }

  private async state(namespace: string): Promise<ClockState> {
    return (await this.store.get<ClockState>(key(namespace))) ?? { offsetMs: 0 };
  }
}

function key(namespace: string): string {
  return `${namespace}/clock`;
}

function instantOf(state: ClockState, realNow: number): number {
  return state.frozenAt ?? realNow + state.offsetMs;
}
