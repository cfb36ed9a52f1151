import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import type { BillingEvent } from '../../../lambda/domain/billing-event';
import { publishBillingEvent } from '../../../lambda/webhook/use-cases/publish-billing-event';
import {
  CUSTOMER_ID,
  paymentIntentObject,
  stripeEvent,
  USER_ID,
} from '../../support/stripe-events';

function setup(directory: Record<string, string> = {}) {
  const published: BillingEvent[] = [];
  const lookups: string[] = [];
  const logger = new Logger({ logLevel: 'SILENT' });
  const warn = jest.spyOn(logger, 'warn');
  const deps = {
    logger,
    publisher: {
      publish: (event: BillingEvent) => {
        published.push(event);
        return Promise.resolve();
      },
    },
    customers: {
      userIdForStripeCustomer: (id: string) => {
        lookups.push(id);
        return Promise.resolve(directory[id]);
      },
    },
  };
  return { deps, published, lookups, warn };
}

const event = (withUser: boolean) =>
  stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded', withUser), {
    id: 'evt_1',
    created: 1_763_856_000,
  }) as unknown as Stripe.Event;

describe('publishBillingEvent', () => {
  it('publishes the contract message, the user from the metadata without a lookup', async () => {
    const { deps, published, lookups } = setup();
    expect(await publishBillingEvent(deps, event(true))).toEqual({
      billingEventId: 'evt_1:payment.successful',
    });
    expect(lookups).toEqual([]);
    expect(published).toEqual([
      {
        schemaVersion: 1,
        type: 'payment.successful',
        id: 'evt_1:payment.successful',
        occurredAt: '2025-11-23T00:00:00.000Z',
        source: 'stripe',
        stripeEventId: 'evt_1',
        stripeEventType: 'payment_intent.succeeded',
        livemode: false,
        userId: USER_ID,
        stripeCustomerId: CUSTOMER_ID,
        data: expect.objectContaining({
          paymentIntentId: 'pi_1PgafyB7WZ01zgkWSjxsAJo3',
        }) as unknown,
      },
    ]);
  });

  it('finds the user through the customer mapping when the metadata has none', async () => {
    const { deps, published } = setup({ [CUSTOMER_ID]: 'user-from-mapping' });
    await publishBillingEvent(deps, event(false));
    expect(published[0]?.userId).toBe('user-from-mapping');
  });

  it('publishes with a null user, and warns, when nobody is mapped', async () => {
    const { deps, published, warn } = setup();
    await publishBillingEvent(deps, event(false));
    expect(published[0]?.userId).toBeNull();
    expect(warn).toHaveBeenCalledWith(
      'Billing event for an unknown user',
      expect.objectContaining({ stripeCustomerId: CUSTOMER_ID }),
    );
  });

  it('throws when the publish fails, so the delivery is retried', async () => {
    const { deps } = setup();
    const failing = {
      ...deps,
      publisher: { publish: () => Promise.reject(new Error('SNS down')) },
    };
    await expect(publishBillingEvent(failing, event(true))).rejects.toThrow('SNS down');
  });

  it('publishes nothing for an unhandled type', async () => {
    const { deps, published } = setup();
    const other = stripeEvent('customer.created', {}) as unknown as Stripe.Event;
    expect(await publishBillingEvent(deps, other)).toEqual({ billingEventId: null });
    expect(published).toEqual([]);
  });
});
