import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import {
  type BillingEvent,
  type StripeDelivery,
  UnpublishableEventError,
} from '../../../lambda/domain/billing-event';
import { publishBillingEvent } from '../../../lambda/webhook/use-cases/publish-billing-event';
import { FakeParkedEventStore } from '../../support/fake-parked-events';
import {
  CUSTOMER_ID,
  paymentIntentObject,
  stripeEvent,
  subscriptionObject,
  USER_ID,
} from '../../support/stripe-events';

const NOW = new Date('2026-11-23T12:00:00.000Z');

function setup(directory: Record<string, string> = {}) {
  const published: BillingEvent[] = [];
  const lookups: string[] = [];
  const parked = new FakeParkedEventStore();
  const logger = new Logger({ logLevel: 'SILENT' });
  const warn = jest.spyOn(logger, 'warn');
  const deps = {
    logger,
    parked,
    now: () => NOW,
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
  return { deps, published, lookups, parked, warn };
}

const delivery = (event: Record<string, unknown>): StripeDelivery => {
  const rawBody = Buffer.from(JSON.stringify(event));
  return { event: JSON.parse(rawBody.toString('utf8')) as Stripe.Event, rawBody };
};

const event = (withUser: boolean) =>
  delivery(
    stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded', withUser), {
      id: 'evt_1',
      created: 1_763_856_000,
    }),
  );

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
    const { deps, parked } = setup();
    const failing = {
      ...deps,
      publisher: { publish: () => Promise.reject(new Error('SNS down')) },
    };
    await expect(publishBillingEvent(failing, event(true))).rejects.toThrow('SNS down');
    expect(parked.calls).toEqual([]);
  });

  it('throws when the customer lookup fails, so the delivery is retried', async () => {
    const { deps, published, parked } = setup();
    const failing = {
      ...deps,
      customers: { userIdForStripeCustomer: () => Promise.reject(new Error('DynamoDB down')) },
    };
    await expect(publishBillingEvent(failing, event(false))).rejects.toThrow('DynamoDB down');
    expect([published, parked.calls]).toEqual([[], []]);
  });

  it('publishes nothing for an unhandled type', async () => {
    const { deps, published } = setup();
    const other = delivery(stripeEvent('customer.created', {}));
    expect(await publishBillingEvent(deps, other)).toEqual({ billingEventId: null });
    expect(published).toEqual([]);
  });
});

describe('publishBillingEvent: permanent failures are parked', () => {
  it('parks a payload that cannot be mapped, with its raw body, and publishes nothing', async () => {
    const { deps, published, parked, warn } = setup();
    const { items: _, ...withoutItems } = subscriptionObject('current');
    const poison = delivery(
      stripeEvent('customer.subscription.updated', withoutItems, { id: 'evt_poison' }),
    );
    expect(await publishBillingEvent(deps, poison)).toEqual({
      billingEventId: null,
      parked: true,
    });
    expect(published).toEqual([]);
    expect(parked.calls).toEqual([
      {
        eventId: 'evt_poison',
        type: 'customer.subscription.updated',
        reason: expect.stringContaining('data.object.items is missing') as unknown,
        parkedAt: NOW.toISOString(),
        rawBody: poison.rawBody,
      },
    ]);
    expect(warn).toHaveBeenCalledWith(
      'Stripe event parked: it cannot become a billing event',
      expect.objectContaining({
        stripeEventId: 'evt_poison',
        reason: expect.stringContaining('data.object.items') as unknown,
      }),
    );
  });

  it('parks an event whose `created` no Date can hold', async () => {
    const { deps, published, parked } = setup();
    const poison = delivery(
      stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), { created: 1e20 }),
    );
    expect(await publishBillingEvent(deps, poison)).toMatchObject({ parked: true });
    expect(published).toEqual([]);
    expect(parked.calls[0]?.reason).toMatch(/^created: Invalid value: Expected <=253402300799/);
  });

  it('parks a message the topic will never take (over its size limit)', async () => {
    const { deps, parked } = setup();
    const tooLarge = {
      ...deps,
      publisher: {
        publish: () =>
          Promise.reject(new UnpublishableEventError('The billing event message is 300000 bytes')),
      },
    };
    expect(await publishBillingEvent(tooLarge, event(true))).toEqual({
      billingEventId: null,
      parked: true,
    });
    expect(parked.calls[0]?.reason).toBe('The billing event message is 300000 bytes');
  });

  it('throws when parking itself fails (transient: Stripe delivers the event again)', async () => {
    const { deps, published, parked } = setup();
    parked.failWith = new Error('DynamoDB down');
    const poison = delivery(
      stripeEvent('invoice.payment_succeeded', { object: 'invoice', id: 'in_1', lines: 'oops' }),
    );
    await expect(publishBillingEvent(deps, poison)).rejects.toThrow('DynamoDB down');
    expect(published).toEqual([]);
  });
});
