import customerDiscount from './decisions/customer-discount.json' with { type: 'json' };
import shippingFee from './decisions/shipping-fee.json' with { type: 'json' };
import type { JdmContent } from './state.js';

/**
 * The decisions of standin's default fixture, as JDM documents (the format GoRules' editor saves
 * and its engine evaluates), so that they run on the real engine like any document a test adds:
 * - `customer-discount`: a first-hit table picks the tier and discount from `customer.tier` (when
 *   it is gold, silver or bronze) or else from `cart.total` (1000 and more gold, 100 and more
 *   silver, bronze below); an expression node computes the discounted total, to the cent.
 * - `shipping-fee`: a first-hit table, free in the US and 25 elsewhere, from `customer.country`.
 * They live in ./decisions/*.json; importing them makes the compiler copy them into dist/.
 */
export const BUILT_IN_DECISIONS: Readonly<
  Record<'customer-discount' | 'shipping-fee', JdmContent>
> = {
  'customer-discount': customerDiscount,
  'shipping-fee': shippingFee,
};
