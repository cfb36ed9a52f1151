import type { WebhookDelivery } from '../delivery/webhooks';
import { fromFixture, type StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import type { TestCard } from '../objects/test-cards';
import { SandboxClock } from '../objects/clock';
import { SandboxStore } from './store';

/** What a Checkout Session was created with, beyond what its Stripe object shows. */
export interface SessionDetails {
  readonly lineItems: readonly { readonly price: string; readonly quantity: number }[];
  readonly subscriptionMetadata: Record<string, string>;
  readonly paymentIntentMetadata: Record<string, string>;
  /** What else `payment_intent_data` gave that Stripe keeps on the payment intent. */
  readonly paymentIntentFields?: StripeObject;
}

/** The API request that caused an event (Stripe records it on the event). */
export interface RequestOrigin {
  readonly id: string | null;
  readonly idempotencyKey: string | null;
}

export const NO_REQUEST: RequestOrigin = { id: null, idempotencyKey: null };

/** One API call the sandbox answered, so tests and benchmarks can count Stripe calls. */
export interface ApiRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly idempotencyKey: string | null;
  /** Answered from an earlier response with the same Idempotency-Key. */
  readonly replayed: boolean;
}

/**
 * What follows an event at Stripe, run right after the event is recorded and sent: a
 * subscription event may change its customer's active entitlements, say. Passed in by the
 * sandbox's start (`http/server.ts`), so the state needs to know none of it.
 */
type EventFollowUp = (
  state: SandboxState,
  type: string,
  object: StripeObject,
  origin: RequestOrigin,
) => void;

/** `invoice.upcoming` this many days before a renewal, unless the control changes it. */
export const DEFAULT_UPCOMING_INVOICE_DAYS = 3;

/** Enough for any test or benchmark run, bounded so a long `npm start` does not grow. */
const MAX_RECORDED_REQUESTS = 50_000;

/** Everything the sandbox knows, and the one way state changes become events. */
export class SandboxState {
  readonly store = new SandboxStore();
  readonly sessions = new Map<string, SessionDetails>();
  /** The test card behind each payment method (`pm_...`): what a charge on it does. */
  readonly cards = new Map<string, TestCard>();
  readonly requests: ApiRequestRecord[] = [];
  /** What `created` says: frozen or shifted by a test (`/_sandbox/clock`). */
  readonly clock = new SandboxClock();
  /**
   * Customers whose invoices fail to finalize, with the `last_finalization_error` they
   * get (`code`, `message`): the `finalization-failure` control sets one.
   */
  readonly finalizationFailures = new Map<string, StripeObject>();
  /** Days before a renewal that `invoice.upcoming` is sent (Stripe's account setting). */
  upcomingInvoiceDays = DEFAULT_UPCOMING_INVOICE_DAYS;

  constructor(
    readonly baseUrl: string,
    readonly apiVersion: string,
    readonly delivery: WebhookDelivery,
    private readonly followUp: EventFollowUp,
  ) {}

  /**
   * Records an event for a state change and delivers it to the subscribed endpoints.
   * `data` is a snapshot taken now: later changes to the object never show in an earlier
   * event, so events say what the object was at their moment (ordering tests rely on it).
   */
  emit(
    type: string,
    object: StripeObject,
    origin: RequestOrigin = NO_REQUEST,
    previousAttributes?: Record<string, unknown>,
  ): StripeObject {
    const targets = this.delivery.targetsFor(type);
    const event = fromFixture('event', {
      id: stripeId('evt'),
      object: 'event',
      api_version: this.apiVersion,
      created: this.clock.now(),
      data: {
        object: structuredClone(object),
        ...(previousAttributes ? { previous_attributes: structuredClone(previousAttributes) } : {}),
      },
      livemode: false,
      // As sent: the endpoints it goes to. Retrieve and list say how many are still pending.
      pending_webhooks: targets.length,
      request: { id: origin.id, idempotency_key: origin.idempotencyKey },
      type,
    });
    this.store.put('event', event);
    this.delivery.deliver(event, targets);
    this.followUp(this, type, object, origin);
    return event;
  }

  recordRequest(record: ApiRequestRecord): void {
    if (this.requests.length >= MAX_RECORDED_REQUESTS) this.requests.shift();
    this.requests.push(record);
  }

  reset(): void {
    this.requests.length = 0;
    this.store.reset();
    this.sessions.clear();
    this.cards.clear();
    this.clock.reset();
    this.finalizationFailures.clear();
    this.upcomingInvoiceDays = DEFAULT_UPCOMING_INVOICE_DAYS;
    this.delivery.reset();
  }
}
