import { createHash } from 'node:crypto';
import type { CatalogPrice } from './catalog';

/**
 * The terms Stripe fixes when a price is created: amount, currency and recurrence. Stripe
 * prices are immutable, so a change to any of them needs a new Stripe price. As one
 * readable string, e.g. `1500 usd recurring month/1`.
 */
export function priceTerms(price: {
  readonly unitAmount: number;
  readonly currency: string;
  readonly type: CatalogPrice['type'];
  readonly interval?: string;
  readonly intervalCount?: number;
}): string {
  const base = `${String(price.unitAmount)} ${price.currency} ${price.type}`;
  return price.type === 'recurring'
    ? `${base} ${price.interval ?? ''}/${String(price.intervalCount ?? 1)}`
    : base;
}

/** A short digest of the terms, for idempotency keys (Stripe allows 255 characters). */
export const termsDigest = (terms: string): string =>
  createHash('sha256').update(terms).digest('hex').slice(0, 16);

/** What this service last synced of one catalog price (the catalog sync table). */
export interface CatalogSyncRecord {
  readonly priceId: string;
  readonly productId: string;
  readonly stripeProductId: string;
  readonly stripePriceId: string;
  /** `priceTerms` of the local price when the Stripe price was created for it. */
  readonly terms: string;
  readonly syncedAt: string;
}

export interface CatalogSyncRepository {
  /** A strongly consistent read, so a sync recorded a moment ago is seen. */
  get(priceId: string): Promise<CatalogSyncRecord | undefined>;
  /**
   * Records a sync unless another one moved the record on: it writes only over a record
   * that still names `expectedStripePriceId` (none: no record) or already names the new
   * Stripe price. False when that condition failed.
   */
  save(record: CatalogSyncRecord, expectedStripePriceId: string | undefined): Promise<boolean>;
}
