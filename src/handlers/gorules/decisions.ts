import { isObject } from '../../spec/openapi.js';
import type { GoRulesDocument } from './state.js';

/**
 * The decisions standin's GoRules evaluates: small and fixed, enough to prove that an environment
 * token works and that the answer carries the context through, not a rules engine.
 * - `customer-discount`: from `cart.total` (and `customer.tier`, if given) a tier and a discount.
 * - `shipping-fee`: free in the US, 25 elsewhere, from `customer.country`.
 * A context a decision cannot use is an engine error, answered 400 with its message.
 */
export class DecisionError extends Error {
  override name = 'DecisionError';
}

type Decide = (context: Record<string, unknown>) => Record<string, unknown>;

const DISCOUNTS: Record<string, number> = { gold: 0.15, silver: 0.1, bronze: 0 };

const decisions: Record<GoRulesDocument['decision'], { node: string; decide: Decide }> = {
  'customer-discount': {
    node: 'Discount table',
    decide: (context) => {
      const cart = isObject(context.cart) ? context.cart : {};
      const total = cart.total;
      if (typeof total !== 'number')
        throw new DecisionError('Node error: cart.total must be a number');
      const customer = isObject(context.customer) ? context.customer : {};
      const tier =
        typeof customer.tier === 'string' && customer.tier in DISCOUNTS
          ? customer.tier
          : total >= 1000
            ? 'gold'
            : total >= 100
              ? 'silver'
              : 'bronze';
      const discount = DISCOUNTS[tier] ?? 0;
      return { tier, discount, total: Math.round(total * (1 - discount) * 100) / 100 };
    },
  },
  'shipping-fee': {
    node: 'Shipping table',
    decide: (context) => {
      const customer = isObject(context.customer) ? context.customer : {};
      if (typeof customer.country !== 'string')
        throw new DecisionError('Node error: customer.country must be a string');
      return { fee: customer.country === 'US' ? 0 : 25, currency: 'USD' };
    },
  },
};

export interface Evaluation {
  result: Record<string, unknown>;
  performance: string;
  trace?: Record<string, unknown>;
}

export function evaluate(
  document: GoRulesDocument,
  context: Record<string, unknown>,
  withTrace: boolean,
): Evaluation {
  const { node, decide } = decisions[document.decision];
  const started = process.hrtime.bigint();
  const result = decide(context);
  const performance = formatDuration(process.hrtime.bigint() - started);
  if (!withTrace) return { result, performance };
  // The zen engine's trace: an object keyed by node id.
  const id = `${document.decision}-node`;
  return {
    result,
    performance,
    trace: {
      [id]: {
        id,
        name: node,
        input: context,
        output: result,
        performance,
        traceData: null,
        order: 0,
      },
    },
  };
}

/** As the zen engine prints a duration (Rust's `{:.1?}`): `245.3µs`, `1.2ms`. */
function formatDuration(nanoseconds: bigint): string {
  const ns = Number(nanoseconds);
  if (ns < 1_000) return `${ns.toFixed(1)}ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(1)}µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(1)}ms`;
  return `${(ns / 1_000_000_000).toFixed(1)}s`;
}
