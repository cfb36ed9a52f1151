import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import type { StripeDelivery } from '../../../../../lambda/domain/event-ledger';
import { publishBillingEvent } from '../../../../../lambda/stripe-events/use-cases/publish-billing-event';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import {
  FakeSubscriptionSource,
  InMemorySubscriptionOrder,
} from '../../../../support/fake-subscription-order';
import { paymentIntentObject, stripeEvent } from '../../../../support/stripe-events';
import { TEST_MODE_ADMISSION } from '../../../../support/event-admission';
import { DEFAULT_ACCESS_POLICY } from '../../../../../lambda/domain/access';

/**
 * A mapping that breaks on a payload its schema let through (a bug, not a bad payload):
 * no real payload does that today, so the mapping is replaced by one that throws. Such an
 * event is parked like an unmappable one, and its reason keeps what broke, so the replay
 * after the fix has the event and the operator knows which fix it waits for.
 */

/** What the mapping throws. */
let mockMappingFault: unknown;

jest.mock('../../../../../lambda/stripe-events/billing-event-mapping', () => ({
  mapStripeEvent: () => {
    throw mockMappingFault;
  },
}));

const NOW = new Date('2026-11-23T12:00:00.000Z');

function setup() {
  const published: BillingEvent[] = [];
  const parked = new FakeParkedEventStore();
  const deps = {
    logger: new Logger({ logLevel: 'SILENT' }),
    parked,
    admission: TEST_MODE_ADMISSION,
    accessPolicy: DEFAULT_ACCESS_POLICY,
    order: new InMemorySubscriptionOrder(),
    subscriptions: new FakeSubscriptionSource(),
    now: () => NOW,
    publisher: {
      publish: (event: BillingEvent) => {
        published.push(event);
        return Promise.resolve();
      },
    },
    customers: { userIdForStripeCustomer: () => Promise.resolve(undefined) },
  };
  return { deps, published, parked };
}

const delivery = (): StripeDelivery => {
  const event = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), {
    id: 'evt_breaks_mapping',
  });
  const rawBody = Buffer.from(JSON.stringify(event));
  return { event: JSON.parse(rawBody.toString('utf8')) as Stripe.Event, rawBody };
};

/** The reason the event is parked with when the mapping throws `fault`. */
async function parkedReason(fault: unknown): Promise<string | undefined> {
  mockMappingFault = fault;
  const { deps, published, parked } = setup();
  expect(await publishBillingEvent(deps, delivery())).toEqual({
    billingEventId: null,
    parked: true,
  });
  expect(published).toEqual([]);
  return parked.parked.get('evt_breaks_mapping')?.reason;
}

describe('publishBillingEvent: a mapping that breaks unexpectedly', () => {
  it('parks the event, the reason naming the error and its message', async () => {
    const fault = new TypeError("Cannot read properties of undefined (reading 'id')");
    expect(await parkedReason(fault)).toBe(
      "The payload could not be mapped (TypeError: Cannot read properties of undefined (reading 'id'))",
    );
  });

  it('keeps the first 300 characters of a long error in the reason', async () => {
    const fault = new RangeError('x'.repeat(500));
    const kept = `RangeError: ${'x'.repeat(500)}`.slice(0, 300);
    expect(await parkedReason(fault)).toBe(`The payload could not be mapped (${kept})`);
  });

  it('names a thrown value that is no Error as it is', async () => {
    expect(await parkedReason('schema gap')).toBe('The payload could not be mapped (schema gap)');
  });
});
