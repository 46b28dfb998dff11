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

/**
 * The range the clock may be moved within. Every answer must stay representable after a commit:
 * vendors compute expiries from the clock (a ThousandEyes token lives 2 years, a PocketPaw
 * session up to SESSION_TTL_MAX_SECONDS), and an RFC 3339 date-time has four-digit years. So the
 * latest instant leaves centuries of room below 9999-12-31, and the earliest is the Unix epoch
 * (session tokens carry Unix seconds).
 */
export const EARLIEST_CLOCK = Date.UTC(1970, 0, 1);
export const LATEST_CLOCK = Date.UTC(9000, 0, 1);

function checkInRange(instant: number, asked: string): number {
  if (!Number.isFinite(instant) || instant < EARLIEST_CLOCK || instant > LATEST_CLOCK) {
    throw new ClockError(
      `${asked} would put the clock outside ${new Date(EARLIEST_CLOCK).toISOString()} .. ${new Date(LATEST_CLOCK).toISOString()}, the range it can move within`,
    );
  }
  return instant;
}

export class Clock {
  constructor(
    private readonly store: Store,
    private readonly realNow: () => number = Date.now,
  ) {}

  async now(namespace: string): Promise<Date> {
    return this.nowFrom(await this.state(namespace));
  }

  /**
   * The time now on a clock whose state was read with other values (engine/namespace-snapshot.ts
   * reads it from `clockKey`): undefined is a clock never moved, running on real time.
   */
  nowFrom(state: ClockState | undefined): Date {
    return new Date(instantOf(state ?? { offsetMs: 0 }, this.realNow()));
  }

  async read(namespace: string): Promise<ClockReading> {
    return readingOf(await this.state(namespace), this.realNow());
  }

  /**
   * Moves the clock as one change, checked whole before anything is written: `set` puts it at an
   * instant (running on from there unless `frozen`), then `advance` moves it forward by an ISO 8601
   * duration (`P14DT1H`; years, months and days are calendar units in UTC: 31 January plus `P1M`
   * is 28 February), and `frozen` stops it where it stands (true) or lets it run (false).
   */
  async move(namespace: string, change: ClockChange): Promise<ClockReading> {
    const target = change.set === undefined ? undefined : instantIn(change.set);
    const duration = change.advance === undefined ? undefined : forwardDuration(change.advance);
    // The answer is read at the instant of the change, not after it: a clock set to 12:00 and
    // left running answers 12:00, not 12:00 plus however long the store took to answer.
    return this.store.update<ClockState, ClockReading>(key(namespace), (current) => {
      const realNow = this.realNow();
      const state = current ?? { offsetMs: 0 };
      let instant = target ?? instantOf(state, realNow);
      if (duration !== undefined) {
        // Luxon answers an instant past what a Date can hold with NaN, not an error.
        instant = DateTime.fromMillis(instant, { zone: 'utc' }).plus(duration).toMillis();
      }
      checkInRange(instant, describe(change));
      const frozen = change.frozen ?? (target === undefined ? state.frozenAt !== undefined : false);
      const next: ClockState = frozen
        ? { offsetMs: 0, frozenAt: instant }
        : { offsetMs: instant - realNow };
      return { value: next, result: readingOf(next, realNow) };
    });
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

/** What `POST /__admin/clock` asks for; see Clock.move. */
export interface ClockChange {
  set?: string;
  advance?: string;
  frozen?: boolean;
}

function instantIn(text: string): number {
  const instant = Date.parse(text);
  if (Number.isNaN(instant)) throw new ClockError(`"${text}" is not an RFC 3339 date-time`);
  return instant;
}

function forwardDuration(text: string): Duration {
  const duration = Duration.fromISO(text);
  if (!duration.isValid || !/\d/.test(text) || text.startsWith('-') || duration.toMillis() < 0) {
    throw new ClockError(`"${text}" is not a forward ISO 8601 duration such as P14D or PT1H30M`);
  }
  return duration;
}

function describe(change: ClockChange): string {
  const parts = [
    change.set === undefined ? '' : `setting it to ${change.set}`,
    change.advance === undefined ? '' : `advancing by ${change.advance}`,
  ].filter((part) => part !== '');
  return parts.length > 0 ? parts.join(' then ') : 'this change';
}

/** Where a namespace's clock state is in the store. */
export function clockKey(namespace: string): string {
  return `${namespace}/clock`;
}

const key = clockKey;

function readingOf(state: ClockState, realNow: number): ClockReading {
  return {
    now: new Date(instantOf(state, realNow)).toISOString(),
    offsetMs: state.frozenAt === undefined ? state.offsetMs : state.frozenAt - realNow,
    frozen: state.frozenAt !== undefined,
  };
}

function instantOf(state: ClockState, realNow: number): number {
  return state.frozenAt ?? realNow + state.offsetMs;
}
