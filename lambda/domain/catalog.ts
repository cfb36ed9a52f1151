/**
 * The platform's catalog as the product and pricing services store it (contract
 * section 2). Those services own the records; we read them defensively, because a
 * malformed record written elsewhere must not break checkout for every other price.
 */

export const PRICE_TYPES = ['one_time', 'recurring'] as const;
export type PriceType = (typeof PRICE_TYPES)[number];

export const RECURRING_INTERVALS = ['day', 'week', 'month', 'year'] as const;
export type RecurringInterval = (typeof RECURRING_INTERVALS)[number];

export interface CatalogProduct {
  readonly productId: string;
  readonly name: string;
  readonly description?: string;
  readonly active: boolean;
  readonly stripeProductId?: string;
}

export interface CatalogPrice {
  readonly priceId: string;
  readonly productId: string;
  /** Integer, in the currency's minor unit (cents). */
  readonly unitAmount: number;
  /** ISO 4217, lower case. */
  readonly currency: string;
  readonly type: PriceType;
  readonly interval?: RecurringInterval;
  readonly intervalCount?: number;
  readonly active: boolean;
  readonly stripePriceId?: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

type Item = Record<string, unknown>;

export function parseCatalogProduct(item: Item): ParseResult<CatalogProduct> {
  const { productId, name, description, active, stripeProductId } = item;
  if (!isNonEmptyString(productId)) return fail('productId is missing');
  if (!isNonEmptyString(name)) return fail(`product ${productId} has no name`);
  if (typeof active !== 'boolean') return fail(`product ${productId} has no boolean "active"`);
  return ok({
    productId,
    name,
    active,
    ...(isNonEmptyString(description) ? { description } : {}),
    ...(isNonEmptyString(stripeProductId) ? { stripeProductId } : {}),
  });
}

export function parseCatalogPrice(item: Item): ParseResult<CatalogPrice> {
  const {
    priceId,
    productId,
    unitAmount,
    currency,
    type,
    interval,
    intervalCount,
    active,
    stripePriceId,
  } = item;
  if (!isNonEmptyString(priceId)) return fail('priceId is missing');
  const at = `price ${priceId}`;
  if (!isNonEmptyString(productId)) return fail(`${at} has no productId`);
  if (typeof unitAmount !== 'number' || !Number.isSafeInteger(unitAmount) || unitAmount < 0) {
    return fail(`${at} has no non-negative integer unitAmount`);
  }
  if (typeof currency !== 'string' || !/^[a-z]{3}$/.test(currency)) {
    return fail(`${at} has no lower-case ISO 4217 currency`);
  }
  if (!(PRICE_TYPES as readonly unknown[]).includes(type)) return fail(`${at} has an unknown type`);
  if (typeof active !== 'boolean') return fail(`${at} has no boolean "active"`);
  const base = {
    priceId,
    productId,
    unitAmount,
    currency,
    active,
    ...(isNonEmptyString(stripePriceId) ? { stripePriceId } : {}),
  };
  if (type === 'one_time') return ok({ ...base, type: 'one_time' });

  if (!(RECURRING_INTERVALS as readonly unknown[]).includes(interval)) {
    return fail(`${at} is recurring without a day/week/month/year interval`);
  }
  const count = intervalCount ?? 1;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) {
    return fail(`${at} has an invalid intervalCount`);
  }
  return ok({
    ...base,
    type: 'recurring',
    interval: interval as RecurringInterval,
    intervalCount: count,
  });
}

const isNonEmptyString = (value: unknown): value is string =>
  typeof value === 'string' && value !== '';
const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = <T>(problem: string): ParseResult<T> => ({ ok: false, problem });
