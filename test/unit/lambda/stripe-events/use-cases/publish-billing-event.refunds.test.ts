import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import { DEFAULT_ACCESS_POLICY } from '../../../../../lambda/domain/access';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import type { StripeDelivery } from '../../../../../lambda/domain/event-ledger';
import { publishBillingEvent } from '../../../../../lambda/stripe-events/use-cases/publish-billing-event';
import { TEST_MODE_ADMISSION } from '../../../../support/event-admission';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import {
  FakeSubscriptionSource,
  InMemorySubscriptionOrder,
} from '../../../../support/fake-subscription-order';
import { stripeEvent, USER_ID } from '../../../../support/stripe-events';

const CHARGE_ID = 'ch_refunds_1';
const NOW_S = Math.floor(Date.now() / 1000);

/** `charge.refunded` of one charge of 4,900 with `refunded` refunded so far. */
const refundEvent = (id: string, created: number, refunded: number): StripeDelivery => {
  const charge = {
    id: CHARGE_ID,
    object: 'charge',
    amount: 4900,
    amount_refunded: refunded,
    refunded: refunded === 4900,
    currency: 'usd',
    customer: 'cus_refunds',
    payment_intent: 'pi_refunds',
    created: NOW_S - 3600,
    metadata: { userId: USER_ID, priceId: 'price-course' },
  };
  const event = stripeEvent('charge.refunded', charge, { id, created });
  return { event: event as unknown as Stripe.Event, rawBody: Buffer.from(JSON.stringify(event)) };
};

function setup(stripeRefunded?: number) {
  const published: BillingEvent[] = [];
  const deps = {
    logger: new Logger({ logLevel: 'SILENT' }),
    parked: new FakeParkedEventStore(),
    admission: TEST_MODE_ADMISSION,
    accessPolicy: DEFAULT_ACCESS_POLICY,
    order: new InMemorySubscriptionOrder(),
    subscriptions: new FakeSubscriptionSource(),
    ...(stripeRefunded === undefined
      ? {}
      : {
          charges: {
            current: () =>
              Promise.resolve({ amount_refunded: stripeRefunded } as unknown as Stripe.Charge),
          },
        }),
    publisher: {
      publish: (event: BillingEvent) => {
        published.push(event);
        return Promise.resolve();
      },
    },
    customers: { userIdForStripeCustomer: () => Promise.resolve(undefined) },
  };
  return { deps, published };
}

describe('publishBillingEvent: a charge’s refunds (payment.refunded)', () => {
  it('publishes each refund with the amount so far; a full refund ends access, a partial keeps it', async () => {
    const { deps, published } = setup();
    await publishBillingEvent(deps, refundEvent('evt_partial', NOW_S - 60, 1000));
    await publishBillingEvent(deps, refundEvent('evt_full', NOW_S - 30, 4900));
    expect(
      published.map((event) => [event.type, event.data.amountRefunded, event.data.access]),
    ).toEqual([
      ['payment.refunded', 1000, { state: 'active', until: null }],
      ['payment.refunded', 4900, { state: 'none', until: null }],
    ]);
    expect(published[1]).toMatchObject({
      userId: USER_ID,
      data: { chargeId: CHARGE_ID, fullyRefunded: true, priceId: 'price-course' },
    });
  });

  it('supersedes an older refund delivered after a newer one: access is never handed back', async () => {
    const { deps, published } = setup();
    await publishBillingEvent(deps, refundEvent('evt_full', NOW_S - 30, 4900));
    expect(await publishBillingEvent(deps, refundEvent('evt_partial', NOW_S - 60, 1000))).toEqual({
      billingEventId: null,
      superseded: true,
    });
    expect(published.map((event) => event.stripeEventId)).toEqual(['evt_full']);
  });

  it('settles a same-second tie against Stripe’s charge', async () => {
    const { deps, published } = setup(4900);
    await publishBillingEvent(deps, refundEvent('evt_a_full', NOW_S - 30, 4900));
    expect(await publishBillingEvent(deps, refundEvent('evt_b_partial', NOW_S - 30, 1000))).toEqual(
      { billingEventId: null, superseded: true },
    );
    expect(published.map((event) => event.stripeEventId)).toEqual(['evt_a_full']);
  });

  it('fails (transient) on a tie when no source of Stripe charges is wired', async () => {
    const { deps } = setup();
    await publishBillingEvent(deps, refundEvent('evt_a', NOW_S - 30, 1000));
    await expect(publishBillingEvent(deps, refundEvent('evt_b', NOW_S - 30, 2000))).rejects.toThrow(
      /No source of Stripe charges/,
    );
  });
});
