import type Stripe from 'stripe';
import type { StripeSandbox } from 'stripe-sandbox';
import type { BillingEvent } from '../../../../lambda/domain/billing-event';
import type { BillingEventType } from '../../../../lambda/shared/billing-events';
import {
  HANDLED_STRIPE_EVENT_TYPES,
  type HandledStripeEventType,
} from '../../../../lambda/stripe-events/billing-event-mapping';
import type { LocalStack } from '../../../../local/local-stack';
import {
  assertStripeCliInstalled,
  type CliResult,
  stripeCliRunner,
} from '../../../../packages/stripe-sandbox/test/support/stripe-cli-runner';
import { STRIPE_CLI_FIXTURES } from '../../../support/stripe-cli-fixtures';
import { startTestStack } from '../../../support/test-stack';

jest.setTimeout(120_000);

/**
 * What a newcomer does with `npm start`: `stripe trigger <event>` of the official Stripe
 * CLI against the local stack's sandbox, for each Stripe event type the service handles.
 * The CLI's fixture makes real state in the sandbox, which delivers the event to the
 * service's webhook, which publishes the billing event of contract section 5.
 */

/** Contract section 5: the billing event each triggered Stripe event becomes. */
const EXPECTED: Readonly<Record<HandledStripeEventType, BillingEventType>> = {
  'payment_intent.succeeded': 'payment.successful',
  'payment_intent.payment_failed': 'payment.failed',
  'payment_intent.requires_action': 'payment.action_required',
  'charge.refunded': 'payment.refunded',
  'customer.subscription.created': 'subscription.created',
  'customer.subscription.updated': 'subscription.updated',
  // The CLI's fixture cancels through the API: requested by the business, not ended by Stripe.
  'customer.subscription.deleted': 'subscription.canceled',
  'checkout.session.completed': 'checkout.completed',
  'checkout.session.expired': 'checkout.expired',
  'invoice.payment_succeeded': 'invoice.paid',
  'invoice.payment_failed': 'invoice.payment_failed',
  'entitlements.active_entitlement_summary.updated': 'entitlements.updated',
};

/** What each billing event says of the object the CLI's fixture made. */
const EXPECTED_DATA: Readonly<Record<HandledStripeEventType, Record<string, unknown>>> = {
  'payment_intent.succeeded': { status: 'succeeded', amount: 2000, amountReceived: 2000 },
  'payment_intent.payment_failed': {
    status: 'requires_payment_method',
    failureCode: 'card_declined',
  },
  'payment_intent.requires_action': { status: 'requires_action', nextActionType: 'use_stripe_sdk' },
  'charge.refunded': {
    fullyRefunded: true,
    amountRefunded: 100,
    access: { state: 'none', until: null },
  },
  'customer.subscription.created': { status: 'active', cancelAtPeriodEnd: false },
  'customer.subscription.updated': { status: 'active', metadata: { foo: 'bar' } },
  'customer.subscription.deleted': {
    status: 'canceled',
    cancellationReason: 'cancellation_requested',
  },
  'checkout.session.completed': { mode: 'payment', paymentStatus: 'paid', amountTotal: 3000 },
  'checkout.session.expired': {
    status: 'expired',
    paymentStatus: 'unpaid',
    access: { state: 'none', until: null },
  },
  'invoice.payment_succeeded': { status: 'paid', billingReason: 'manual', amountPaid: 2000 },
  'invoice.payment_failed': { status: 'open', attemptCount: 1, amountRemaining: 2000 },
  // The project's fixture: a feature on the product of the subscription it starts.
  'entitlements.active_entitlement_summary.updated': { features: ['course-access'] },
};

/**
 * The CLI's own `stripe trigger`, or `stripe fixtures` with the project's fixture for the
 * types its version cannot trigger (`test/support/stripe-cli-fixtures`).
 */
const cliArgsFor = (type: HandledStripeEventType): string[] => {
  const fixture = STRIPE_CLI_FIXTURES[type];
  return fixture === undefined ? ['trigger', type] : ['fixtures', fixture];
};

let stack: LocalStack;
let sandbox: StripeSandbox;
let stripeCli: (...args: string[]) => Promise<CliResult>;
beforeAll(async () => {
  assertStripeCliInstalled();
  stack = await startTestStack();
  if (!stack.stripeSandbox) throw new Error('the local stack started no Stripe sandbox');
  sandbox = stack.stripeSandbox;
  stripeCli = stripeCliRunner(sandbox.url);
});
afterAll(async () => {
  await stack.stop();
});

/** The newest Stripe event of `type` in the sandbox (`GET /v1/events`). */
async function newestEvent(type: string): Promise<Stripe.Event | undefined> {
  const response = await fetch(`${sandbox.url}/v1/events?type=${type}&limit=1`, {
    headers: { authorization: 'Bearer sk_test_stripe_trigger' },
  });
  return ((await response.json()) as { data: Stripe.Event[] }).data[0];
}

/** Waits until the sandbox has delivered everything (retries included); all answered 2xx. */
async function settled(): Promise<void> {
  const response = await fetch(`${sandbox.url}/_sandbox/deliveries?wait=true`);
  const { deliveries } = (await response.json()) as {
    deliveries: { eventType: string; status: number | null }[];
  };
  expect(deliveries.filter((d) => d.status === null || d.status >= 300)).toEqual([]);
}

describe('stripe trigger against the local stack: each handled event is published', () => {
  it('covers every handled Stripe event type', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...HANDLED_STRIPE_EVENT_TYPES].sort());
  });

  it.each(HANDLED_STRIPE_EVENT_TYPES.map((type) => [type]))('stripe trigger %s', async (type) => {
    const previous = await newestEvent(type);
    const args = cliArgsFor(type);
    const result = await stripeCli(...args);
    expect({ status: result.status, output: result.stdout + result.stderr }).toMatchObject({
      status: 0,
      output: expect.stringContaining(
        args[0] === 'trigger' ? 'Trigger succeeded' : 'Running fixture for: subscription',
      ) as unknown,
    });
    const event = await newestEvent(type);
    expect(event).toBeDefined();
    expect(event?.id).not.toBe(previous?.id);
    await settled();
    const published = (await stack.billingEvents.events())
      .map((message) => message.event as BillingEvent)
      .filter((billingEvent) => billingEvent.stripeEventId === event?.id);
    expect(published.map((billingEvent) => billingEvent.type)).toEqual([EXPECTED[type]]);
    expect(published[0]).toMatchObject({
      stripeEventType: type,
      id: `${event?.id ?? ''}:${EXPECTED[type]}`,
      livemode: false,
      data: EXPECTED_DATA[type],
    });
  });
});
