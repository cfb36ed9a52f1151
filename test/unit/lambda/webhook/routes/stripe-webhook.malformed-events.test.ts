import { Logger } from '@aws-lambda-powertools/logger';
import {
  FakeSubscriptionSource,
  InMemorySubscriptionOrder,
} from '../../../../support/fake-subscription-order';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { SIGNATURE_TOLERANCE_SECONDS } from '../../../../../lambda/webhook/signature-verifier';
import { StripeSignatureVerifier } from '../../../../../lambda/webhook/signature-verifier';
import { publishBillingEvent } from '../../../../../lambda/stripe-events/use-cases/publish-billing-event';
import { createWebhookHandler } from '../../../../../lambda/webhook/webhook-handler';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import {
  checkoutSessionObject,
  invoiceObject,
  type PayloadShape,
  paymentIntentObject,
  signatureFor,
  stripeEvent,
  subscriptionObject,
} from '../../../../support/stripe-events';
import { TEST_MODE_ADMISSION } from '../../../../support/event-admission';
import { DEFAULT_ACCESS_POLICY } from '../../../../../lambda/domain/access';

/**
 * Signed, verified deliveries whose payload cannot become a billing event, for every
 * handled type: each is answered 200 (Stripe must not retry it for three days), parked
 * once with a reason naming the field at fault, and nothing is published.
 */
const SECRET = 'whsec_malformed';
type StripeObject = Record<string, unknown>;

function webhook() {
  const published: BillingEvent[] = [];
  const parked = new FakeParkedEventStore();
  const logger = new Logger({ logLevel: 'SILENT' });
  const handler = createWebhookHandler({
    logger,
    verifier: new StripeSignatureVerifier(() => Promise.resolve([SECRET])),
    process: async (delivery) => ({
      alreadyProcessed: false,
      outcome: await publishBillingEvent(
        {
          logger,
          parked,
          admission: TEST_MODE_ADMISSION,
          accessPolicy: DEFAULT_ACCESS_POLICY,
          order: new InMemorySubscriptionOrder(),
          subscriptions: new FakeSubscriptionSource(),
          customers: { userIdForStripeCustomer: () => Promise.resolve(undefined) },
          publisher: {
            publish: (event) => {
              published.push(event);
              return Promise.resolve();
            },
          },
        },
        delivery,
      ),
    }),
  });
  const deliver = async (payload: string, timestamp?: number) => {
    const response = await handler(
      apiEvent(ROUTES.stripeWebhook, {
        headers: { 'stripe-signature': signatureFor(payload, SECRET, timestamp) },
        body: payload,
      }),
      lambdaContext(),
    );
    return { status: response.statusCode, body: JSON.parse(response.body) as unknown };
  };
  return { deliver, published, parked };
}

/** Sets (or with `undefined`, deletes) the value at a dotted path, `[n]` for array items. */
function withChange(object: StripeObject, path: string, value: unknown): StripeObject {
  const copy = structuredClone(object);
  const keys = path.split('.').flatMap((key) => key.split(/\[(\d+)\]/).filter(Boolean));
  let target = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys[keys.length - 1] ?? '';
  if (value === undefined) Reflect.deleteProperty(target, last);
  else target[last] = value;
  return copy;
}

const huge = (chars: number) => 'x'.repeat(chars);
const manyKeys = (count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${String(i)}`, 'v']));

interface Case {
  readonly stripeType: string;
  readonly problem: string;
  readonly object: () => StripeObject;
  readonly reason: RegExp;
}

const PAYMENT_TYPES: [string, string][] = [
  ['payment_intent.succeeded', 'succeeded'],
  ['payment_intent.payment_failed', 'requires_payment_method'],
  ['payment_intent.requires_action', 'requires_action'],
];
const paymentCases: Case[] = PAYMENT_TYPES.flatMap(([stripeType, status]) => {
  const pi = () => paymentIntentObject(status);
  const c = (problem: string, object: () => StripeObject, reason: RegExp): Case => ({
    stripeType,
    problem,
    object,
    reason,
  });
  return [
    c('no amount', () => withChange(pi(), 'amount', undefined), /data\.object\.amount is missing/),
    c(
      'a string amount',
      () => withChange(pi(), 'amount', '4900'),
      /data\.object\.amount: expected number, got a string of 4 characters/,
    ),
    c(
      'a negative amount',
      () => withChange(pi(), 'amount_received', -1),
      /data\.object\.amount_received: Invalid value: Expected >=0/,
    ),
    c(
      'a fractional amount',
      () => withChange(pi(), 'amount', 49.5),
      /data\.object\.amount: Invalid safe integer/,
    ),
    c(
      'a currency that is not ISO 4217',
      () => withChange(pi(), 'currency', 'US Dollars'),
      /data\.object\.currency: Invalid format: a currency is a three-letter ISO 4217 code/,
    ),
    c(
      'a huge metadata value',
      () => withChange(pi(), 'metadata.note', huge(100_000)),
      /data\.object\.metadata\.note: Invalid length: Expected <=500 but received 100000/,
    ),
    c(
      'more metadata keys than Stripe allows',
      () => withChange(pi(), 'metadata', manyKeys(51)),
      /data\.object\.metadata: Invalid entries: Expected <=50 but received 51/,
    ),
    c(
      'a huge failure message',
      () =>
        withChange(pi(), 'last_payment_error', { code: 'card_declined', message: huge(10_000) }),
      /data\.object\.last_payment_error\.message: Invalid length: Expected <=5000/,
    ),
    c(
      'a created of 1e20',
      () => withChange(pi(), 'created', 1e20),
      /data\.object\.created: Invalid value: Expected <=253402300799/,
    ),
    c(
      'another kind of object',
      () => subscriptionObject('current'),
      /data\.object\.object: expected "payment_intent", got a string of 12 characters/,
    ),
    c(
      'a huge customer id',
      () => withChange(pi(), 'customer', `cus_${huge(300)}`),
      /data\.object\.customer: Invalid length: Expected <=255 but received 304/,
    ),
  ];
});

const SUBSCRIPTION_TYPES = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
];
const subscriptionCases: Case[] = SUBSCRIPTION_TYPES.flatMap((stripeType) =>
  (['legacy', 'current'] as PayloadShape[]).flatMap((shape) => {
    const sub = () => subscriptionObject(shape);
    const c = (problem: string, object: () => StripeObject, reason: RegExp): Case => ({
      stripeType,
      problem: `${shape}: ${problem}`,
      object,
      reason,
    });
    return [
      c('no items', () => withChange(sub(), 'items', undefined), /data\.object\.items is missing/),
      c(
        'items that are not a list',
        () => withChange(sub(), 'items', 'oops'),
        /data\.object\.items: expected Object, got a string of 4 characters/,
      ),
      c(
        'an empty item list',
        () => withChange(sub(), 'items.data', []),
        /data\.object\.items\.data: Invalid length: empty/,
      ),
      c(
        'an item without a price id',
        () => withChange(sub(), 'items.data[0].price.id', undefined),
        /data\.object\.items\.data\[0\]\.price\.id is missing/,
      ),
      c(
        'more items than the message carries',
        () =>
          withChange(
            sub(),
            'items.data',
            Array.from({ length: 101 }, () => (sub().items as { data: unknown[] }).data[0]),
          ),
        /data\.object\.items\.data: Invalid length: Expected <=100 but received 101/,
      ),
      c(
        'a boolean as a string',
        () => withChange(sub(), 'cancel_at_period_end', 'yes'),
        /data\.object\.cancel_at_period_end: expected boolean, got a string/,
      ),
      c(
        'a fractional timestamp',
        () => withChange(sub(), 'canceled_at', 1_763_856_000.5),
        /data\.object\.canceled_at: Invalid integer/,
      ),
      c(
        'a huge status',
        () => withChange(sub(), 'status', huge(5_000)),
        /data\.object\.status: Invalid length: Expected <=100 but received 5000/,
      ),
      c(
        'no period in either shape',
        () =>
          withChange(
            withChange(
              withChange(sub(), 'current_period_start', undefined),
              'items.data[0].current_period_start',
              undefined,
            ),
            'current_period_end',
            undefined,
          ),
        /the subscription has no current period in either payload shape/,
      ),
    ];
  }),
);

const checkoutCases: Case[] = (() => {
  const session = () => checkoutSessionObject();
  const c = (problem: string, object: () => StripeObject, reason: RegExp): Case => ({
    stripeType: 'checkout.session.completed',
    problem,
    object,
    reason,
  });
  return [
    c('no mode', () => withChange(session(), 'mode', undefined), /data\.object\.mode is missing/),
    c(
      'metadata as a list',
      () => withChange(session(), 'metadata', ['userId']),
      /data\.object\.metadata: expected Object, got an array of 1 items/,
    ),
    c(
      'a negative total',
      () => withChange(session(), 'amount_total', -1999),
      /data\.object\.amount_total: Invalid value: Expected >=0/,
    ),
    c(
      'a huge client reference id',
      () => withChange(session(), 'client_reference_id', huge(900_000)),
      /data\.object\.client_reference_id: Invalid length: Expected <=1024 but received 900000/,
    ),
    c(
      'a subscription id of the wrong type',
      () => withChange(session(), 'subscription', 42),
      /data\.object\.subscription: expected \(string \| Object\), got 42/,
    ),
  ];
})();

const INVOICE_TYPES: [string, 'paid' | 'open'][] = [
  ['invoice.payment_succeeded', 'paid'],
  ['invoice.payment_failed', 'open'],
];
const invoiceCases: Case[] = INVOICE_TYPES.flatMap(([stripeType, status]) =>
  (['legacy', 'current'] as PayloadShape[]).flatMap((shape) => {
    const inv = () => invoiceObject(shape, status);
    const c = (problem: string, object: () => StripeObject, reason: RegExp): Case => ({
      stripeType,
      problem: `${shape}: ${problem}`,
      object,
      reason,
    });
    return [
      c(
        'malformed lines',
        () => withChange(inv(), 'lines', { data: 'oops' }),
        /data\.object\.lines\.data: expected Array, got a string of 4 characters/,
      ),
      c(
        'a line without a period',
        () => withChange(inv(), 'lines.data[0].period', undefined),
        /data\.object\.lines\.data\[0\]\.period is missing/,
      ),
      c(
        'no amount paid',
        () => withChange(inv(), 'amount_paid', undefined),
        /data\.object\.amount_paid is missing/,
      ),
      c(
        'a huge hosted invoice URL',
        () => withChange(inv(), 'hosted_invoice_url', `https://${huge(300_000)}`),
        /data\.object\.hosted_invoice_url: Invalid length: Expected <=2048/,
      ),
      c(
        'a period end of 1e20',
        () => withChange(inv(), 'lines.data[0].period.end', 1e20),
        /data\.object\.lines\.data\[0\]\.period\.end: Invalid value/,
      ),
      c(
        'neither shape (no parent, no subscription)',
        () => withChange(withChange(inv(), 'parent', undefined), 'subscription', undefined),
        /the invoice is in neither payload shape/,
      ),
    ];
  }),
);

const CASES = [...paymentCases, ...subscriptionCases, ...checkoutCases, ...invoiceCases];

describe('a signed payload that cannot become a billing event is parked, never retried', () => {
  it('covers every handled event type', () => {
    expect(new Set(CASES.map((c) => c.stripeType))).toEqual(
      new Set([
        ...PAYMENT_TYPES.map(([t]) => t),
        ...SUBSCRIPTION_TYPES,
        'checkout.session.completed',
        ...INVOICE_TYPES.map(([t]) => t),
      ]),
    );
  });

  it.each(CASES.map((c) => [c.stripeType, c.problem, c] as const))(
    '%s with %s: 200, parked with the reason, nothing published',
    async (stripeType, _, { object, reason }) => {
      const { deliver, published, parked } = webhook();
      const event = stripeEvent(stripeType, object());
      const payload = JSON.stringify(event);
      expect(await deliver(payload)).toEqual({
        status: 200,
        body: { received: true, billingEventId: null, parked: true },
      });
      expect(published).toEqual([]);
      expect(parked.calls).toHaveLength(1);
      const [entry] = parked.calls;
      expect(entry).toMatchObject({ eventId: event.id, type: stripeType });
      expect(entry?.reason).toMatch(reason);
      // The raw body exactly as signed, for the replay.
      expect(entry?.rawBody.toString('utf8')).toBe(payload);
    },
  );

  it('names no value in the reason, only types and lengths (payloads carry customer data)', async () => {
    const { deliver, parked } = webhook();
    const secret = 'jane@example.com';
    const object = withChange(paymentIntentObject('succeeded'), 'currency', secret);
    await deliver(JSON.stringify(stripeEvent('payment_intent.succeeded', object)));
    expect(parked.calls[0]?.reason).toMatch(/data\.object\.currency/);
    expect(parked.calls[0]?.reason).not.toContain(secret);
  });

  it('parks an envelope whose created no Date can hold (occurredAt)', async () => {
    const { deliver, published, parked } = webhook();
    const event = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), {
      created: 1e20,
    });
    expect((await deliver(JSON.stringify(event))).status).toBe(200);
    expect(published).toEqual([]);
    // Refused on admission (from the future) before the mapping's own bound is reached.
    expect(parked.calls[0]?.reason).toMatch(
      /^created 1e\+23 is \d+ s ahead of this service's clock/,
    );
  });

  it('still publishes well-formed events of both payload shapes', async () => {
    const { deliver, published, parked } = webhook();
    for (const shape of ['legacy', 'current'] as const) {
      await deliver(
        JSON.stringify(stripeEvent('invoice.payment_failed', invoiceObject(shape, 'open'))),
      );
      await deliver(
        JSON.stringify(stripeEvent('customer.subscription.updated', subscriptionObject(shape))),
      );
    }
    expect(published).toHaveLength(4);
    expect(parked.calls).toEqual([]);
  });
});

describe('the signature timestamp, both ways', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const payload = JSON.stringify(
    stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')),
  );

  it.each([
    ['a year in the future', () => now() + 365 * 86_400],
    ['just over the tolerance in the future', () => now() + SIGNATURE_TOLERANCE_SECONDS + 5],
    ['just over the tolerance in the past', () => now() - SIGNATURE_TOLERANCE_SECONDS - 5],
  ])('a t %s is 400 invalid_signature, nothing parked or published', async (_, t) => {
    const { deliver, published, parked } = webhook();
    expect(await deliver(payload, t())).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_signature' } },
    });
    expect([published, parked.calls]).toEqual([[], []]);
  });
});
