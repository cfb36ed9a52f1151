import * as fs from 'node:fs';
import * as path from 'node:path';
import { paidSubscription, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const FIXTURES = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../fixtures/stripe-objects.json'), 'utf8'),
) as Record<string, Record<string, unknown>>;

const typeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/**
 * Every key of Stripe's fixture, with the fixture's JSON type. `null` is accepted where
 * the fixture shows a value: Stripe's fixtures fill optional (nullable) fields with
 * examples, and a sandbox object that really has no discount says `null`, as Stripe does.
 */
function shapeProblems(
  object: Record<string, unknown>,
  fixture: Record<string, unknown>,
  at = '',
): string[] {
  const problems: string[] = [];
  for (const [key, expected] of Object.entries(fixture)) {
    const where = `${at}${key}`;
    if (!(key in object)) {
      problems.push(`${where} is missing`);
      continue;
    }
    const actual = object[key];
    if (actual === null || expected === null) continue;
    if (typeOf(actual) !== typeOf(expected))
      problems.push(`${where}: ${typeOf(actual)} instead of ${typeOf(expected)}`);
    // Metadata is the caller's own hash: a fixture's example keys are not Stripe's shape.
    else if (typeOf(expected) === 'object' && key !== 'metadata') {
      problems.push(
        ...shapeProblems(
          actual as Record<string, unknown>,
          expected as Record<string, unknown>,
          `${where}.`,
        ),
      );
    }
  }
  return problems;
}

const h = useHarness();
const returned = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  const { customer, product, price, session } = await paidSubscription(h, 'shape@example.com');
  const subscription = await h.stripe.subscriptions.retrieve(session.subscription as string);
  const portal = await h.stripe.billingPortal.sessions.create({ customer: customer.id });
  const intent = (await h.stripe.paymentIntents.list({ customer: customer.id })).data[0];
  const event = (await h.stripe.events.list({ limit: 1 })).data[0];
  const raw = async (url: string) =>
    (await (
      await fetch(`${h.sandbox.url}${url}`, { headers: { authorization: 'Bearer sk_test_x' } })
    ).json()) as Record<string, unknown>;
  returned.set('customer', await raw(`/v1/customers/${customer.id}`));
  returned.set('product', await raw(`/v1/products/${product.id}`));
  returned.set('price', await raw(`/v1/prices/${price.id}`));
  returned.set('checkout.session', await raw(`/v1/checkout/sessions/${session.id}`));
  returned.set('billing_portal.session', portal as unknown as Record<string, unknown>);
  returned.set('payment_intent', await raw(`/v1/payment_intents/${intent?.id ?? ''}`));
  returned.set('subscription', await raw(`/v1/subscriptions/${subscription.id}`));
  returned.set(
    'subscription_item',
    (
      (await raw(`/v1/subscriptions/${subscription.id}`)).items as {
        data: Record<string, unknown>[];
      }
    ).data[0] ?? {},
  );
  returned.set('invoice', await raw(`/v1/invoices/${session.invoice as string}`));
  returned.set('event', await raw(`/v1/events/${event?.id ?? ''}`));
  const card = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  returned.set('payment_method', await raw(`/v1/payment_methods/${card.id}`));
  const item = await h.stripe.invoiceItems.create({
    customer: customer.id,
    amount: 500,
    currency: 'usd',
  });
  returned.set('invoiceitem', await raw(`/v1/invoiceitems/${item.id}`));
  await h.stripe.customers.del(customer.id);
  returned.set('deleted_customer', await raw(`/v1/customers/${customer.id}`));
});

describe("sandbox objects carry their fixture's keys and types", () => {
  it.each([
    'customer',
    'deleted_customer',
    'product',
    'price',
    'checkout.session',
    'billing_portal.session',
    'payment_intent',
    'subscription',
    'subscription_item',
    'invoice',
    'event',
    'payment_method',
    'invoiceitem',
  ])('%s', (name) => {
    const object = returned.get(name);
    let fixture = FIXTURES[name];
    if (!object || !fixture) throw new Error(`nothing to compare for ${name}`);
    // The event fixture wraps a plan; an event's envelope is what is compared here (its
    // data.object is compared as that object's own kind above).
    if (name === 'event') fixture = { ...fixture, data: { object: {} } };
    expect(object.object).toBe(fixture.object);
    expect(shapeProblems(object, fixture)).toEqual([]);
  });

  it('can fail: a missing key or a wrong type is reported', () => {
    expect(shapeProblems({ a: 1 }, { a: 'x', b: 2 })).toEqual([
      'a: number instead of string',
      'b is missing',
    ]);
  });
});
