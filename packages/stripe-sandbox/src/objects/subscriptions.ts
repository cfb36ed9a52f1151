import { nowSeconds } from './clock';
import { fromFixture, type StripeObject } from './fixtures';
import { stripeId } from './ids';

/** A subscription's object: one price per subscription, as in the flows. */

interface Recurring {
  readonly interval: string;
  readonly interval_count: number;
}

/** The end of one billing period that starts at `start` (epoch seconds). */
export function periodEnd(start: number, interval: string, count: number): number {
  const date = new Date(start * 1000);
  if (interval === 'day') date.setUTCDate(date.getUTCDate() + count);
  else if (interval === 'week') date.setUTCDate(date.getUTCDate() + 7 * count);
  else if (interval === 'month') date.setUTCMonth(date.getUTCMonth() + count);
  else date.setUTCFullYear(date.getUTCFullYear() + count);
  return Math.floor(date.getTime() / 1000);
}

/** The end of the billing period of `price` (a recurring price) that starts at `start`. */
export const pricePeriodEnd = (price: StripeObject, start: number): number => {
  const recurring = price.recurring as Recurring;
  return periodEnd(start, recurring.interval, recurring.interval_count);
};

/** A plan, as Stripe still embeds it beside the price on subscription items. */
export function planFromPrice(price: StripeObject): StripeObject {
  const recurring = price.recurring as Recurring;
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: recurring.interval,
    interval_count: recurring.interval_count,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

interface SubscriptionInput {
  readonly customer: string;
  readonly price: StripeObject;
  readonly quantity: number;
  readonly metadata: Record<string, string>;
  readonly status: 'active' | 'incomplete';
}

/** The item of a new subscription: its price for one period from `now`. */
function newSubscriptionItem(subscriptionId: string, input: SubscriptionInput, now: number) {
  return fromFixture('subscription_item', {
    id: stripeId('si', 14),
    object: 'subscription_item',
    created: now,
    price: structuredClone(input.price),
    plan: planFromPrice(input.price),
    quantity: input.quantity,
    subscription: subscriptionId,
    metadata: {},
    tax_rates: [],
    discounts: [],
    billing_thresholds: null,
    current_period_start: now,
    current_period_end: pricePeriodEnd(input.price, now),
  });
}

/** A subscription starting now, with its one item. */
export function newSubscription(input: SubscriptionInput): StripeObject {
  const id = stripeId('sub');
  const now = nowSeconds();
  return fromFixture('subscription', {
    id,
    object: 'subscription',
    customer: input.customer,
    status: input.status,
    items: {
      object: 'list',
      data: [newSubscriptionItem(id, input, now)],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    metadata: { ...input.metadata },
    currency: input.price.currency,
    created: now,
    start_date: now,
    billing_cycle_anchor: now,
    billing_cycle_anchor_config: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    ended_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: 'charge_automatically',
    latest_invoice: null,
    default_payment_method: null,
    default_source: null,
    description: null,
    discounts: [],
    days_until_due: null,
    livemode: false,
    application: null,
    application_fee_percent: null,
    billing_thresholds: null,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_start: null,
    customer_account: null,
  });
}

/** The subscription's single item (the sandbox's subscriptions have one price). */
export function subscriptionItem(sub: StripeObject): Record<string, unknown> {
  const item = (sub.items as { data: Record<string, unknown>[] }).data[0];
  if (!item) throw new Error(`Subscription ${String(sub.id)} has no item`);
  return item;
}
