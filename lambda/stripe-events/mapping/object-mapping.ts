import type { BillingEventData } from '../../domain/billing-event';
import type { BillingEventType } from '../../shared/billing-events';

/** A Stripe event as the billing event it becomes, before the user is resolved. */
export interface MappedStripeEvent {
  readonly type: BillingEventType;
  /** ISO 8601, from the Stripe event's `created`. */
  readonly occurredAt: string;
  readonly livemode: boolean;
  /** The app user named by the object itself (its metadata), if any. */
  readonly userId: string | null;
  readonly stripeCustomerId: string | null;
  readonly data: BillingEventData;
  /**
   * The object embeds one page of a longer list (an entitlement summary with `has_more`):
   * `data` is incomplete, and must never be published as it is (the use case reads the
   * rest from Stripe first).
   */
  readonly partial?: true;
}

/** What one object's mapping gives; the envelope adds when and in which mode. */
export type ObjectMapping = Omit<MappedStripeEvent, 'occurredAt' | 'livemode'>;

/** Where the object sits in a Stripe event: the path every reason names. */
export const OBJECT_PATH = 'data.object';

export const hasKey = (object: unknown, key: string): boolean =>
  typeof object === 'object' && object !== null && key in object;

export const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : value.id;

/** Stripe's Unix seconds (validated: an integer within Date's range) as ISO 8601. */
export const isoTime = (seconds: number): string => new Date(seconds * 1000).toISOString();
export const isoTimeOrNull = (seconds: number | null): string | null =>
  seconds === null ? null : isoTime(seconds);
