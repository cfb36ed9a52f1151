import type {
  BILLING_EVENT_SCHEMA_VERSION,
  BILLING_EVENT_SOURCE,
  BillingEventType,
} from '../shared/billing-events';

/** The message published for the entitlement processor (contract section 5). */
export interface BillingEvent {
  readonly schemaVersion: typeof BILLING_EVENT_SCHEMA_VERSION;
  readonly type: BillingEventType;
  /** `<stripe event id>:<type>`: unique per billing event, the FIFO deduplication id. */
  readonly id: string;
  readonly occurredAt: string;
  readonly source: typeof BILLING_EVENT_SOURCE;
  readonly stripeEventId: string;
  readonly stripeEventType: string;
  readonly livemode: boolean;
  readonly userId: string | null;
  readonly stripeCustomerId: string | null;
  readonly data: BillingEventData;
}

/** Normalised fields of the Stripe object: camelCase, ISO 8601 times, ids not objects. */
export type BillingEventData = Readonly<Record<string, unknown>>;

export interface EventPublisher {
  /**
   * Publishes one billing event; throws when the topic did not take it: an
   * `UnpublishableEventError` when it never will (permanent), anything else when a retry
   * may succeed (transient).
   */
  publish(event: BillingEvent): Promise<void>;
}

/**
 * The topic will never take this message, however often it is retried: over the topic's
 * size limit, or refused as invalid. The event is parked instead of failing forever.
 */
export class UnpublishableEventError extends Error {
  override readonly name = 'UnpublishableEventError';

  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Finds the app user of a Stripe customer (the customers table, read by Stripe id). */
export interface CustomerDirectory {
  userIdForStripeCustomer(stripeCustomerId: string): Promise<string | undefined>;
}
