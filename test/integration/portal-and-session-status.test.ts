import { PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { LOCAL_SECRET_DEFAULTS } from '../../local/config';
import type { LocalStack } from '../../local/local-stack';
import { localDynamoClient } from '../../local/services/aws-clients';
import { ROUTES } from '../../lambda/shared/routes';
import { startTestStack } from './support';

jest.setTimeout(30_000);

let stack: LocalStack;
let stripe: Stripe;
beforeAll(async () => {
  stack = await startTestStack();
  const sandbox = stack.stripeSandbox;
  if (!sandbox) throw new Error('no sandbox');
  stripe = new Stripe(LOCAL_SECRET_DEFAULTS.stripeSecretKey, {
    host: '127.0.0.1',
    port: sandbox.port,
    protocol: 'http',
  });
});
afterAll(async () => {
  await stack.stop();
});

async function token(userId: string): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/_local/token?userId=${userId}`);
  return ((await response.json()) as { token: string }).token;
}

/** Either a success body or the contract's error body. */
interface ApiBody {
  readonly [field: string]: unknown;
  readonly error: { readonly code: string; readonly message: string };
}

async function call(method: string, path: string, userId: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await token(userId)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as ApiBody };
}

/** A user who has checked out before: a Stripe customer and the mapping to it. */
async function existingCustomer(userId: string): Promise<string> {
  const customer = await stripe.customers.create({ metadata: { userId } });
  const documents = DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb));
  const now = new Date().toISOString();
  await documents.send(
    new PutCommand({
      TableName: stack.names.customersTable,
      Item: { userId, stripeCustomerId: customer.id, createdAt: now, updatedAt: now },
    }),
  );
  documents.destroy();
  return customer.id;
}

describe('POST /stripe/portal', () => {
  const returnUrl = () => `${stack.apiUrl}/account`;

  it('opens the billing portal of the caller customer', async () => {
    const customerId = await existingCustomer('portal-user');
    const { status, body } = await call('POST', ROUTES.createPortalSession.path, 'portal-user', {
      returnUrl: returnUrl(),
    });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['url']);
    const html = await (await fetch(body.url as string)).text();
    expect(html).toContain('Your subscriptions');
    const portals = stack.stripeSandbox?.state.store.list('billing_portal.session') ?? [];
    expect(portals[0]).toMatchObject({ customer: customerId, return_url: returnUrl() });
  });

  it('is 404 no_customer for a user who never checked out', async () => {
    const { status, body } = await call('POST', ROUTES.createPortalSession.path, 'never-paid', {
      returnUrl: returnUrl(),
    });
    expect([status, body.error.code]).toEqual([404, 'no_customer']);
  });

  it.each([
    ['a foreign origin', { returnUrl: 'https://evil.example.com/' }, 'invalid_redirect_url'],
    ['no returnUrl', {}, 'missing_field'],
    ['a number', { returnUrl: 42 }, 'invalid_field'],
    ['an unknown field', { returnUrl: 'http://localhost/', extra: 1 }, 'unknown_field'],
    ['malformed JSON', '{"returnUrl":', 'invalid_json'],
  ])('is 400 for %s, calling nothing', async (_name, body, code) => {
    const before = stack.stripeSandbox?.state.store.list('billing_portal.session').length;
    const result = await call('POST', ROUTES.createPortalSession.path, 'portal-user', body);
    expect([result.status, result.body.error.code]).toEqual([400, code]);
    expect(stack.stripeSandbox?.state.store.list('billing_portal.session').length).toBe(before);
  });
});

describe('GET /stripe/checkout-sessions/{id}', () => {
  async function sessionOf(userId: string): Promise<Stripe.Checkout.Session> {
    const product = await stripe.products.create({ name: 'Course' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 4900,
    });
    return stripe.checkout.sessions.create({
      mode: 'payment',
      client_reference_id: userId,
      metadata: { userId },
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: `${stack.apiUrl}/?session_id={CHECKOUT_SESSION_ID}`,
    });
  }

  it('shows the caller session, open and then paid, without waiting on the webhook', async () => {
    const session = await sessionOf('status-user');
    const path = `/stripe/checkout-sessions/${session.id}`;
    expect(await call('GET', path, 'status-user')).toEqual({
      status: 200,
      body: {
        checkoutSessionId: session.id,
        status: 'open',
        paymentStatus: 'unpaid',
        mode: 'payment',
      },
    });
    await fetch(`${session.url ?? ''}/pay`, { method: 'POST', redirect: 'manual' });
    const paid = await call('GET', path, 'status-user');
    expect(paid.body).toMatchObject({
      status: 'complete',
      paymentStatus: 'paid',
      paymentIntentId: expect.stringMatching(/^pi_/) as unknown,
    });
  });

  it("is 404 for another user's session, a missing one and a malformed id", async () => {
    const session = await sessionOf('owner');
    const foreign = await call('GET', `/stripe/checkout-sessions/${session.id}`, 'intruder');
    const missing = await call('GET', '/stripe/checkout-sessions/cs_test_doesnotexist', 'intruder');
    const malformed = await call(
      'GET',
      '/stripe/checkout-sessions/..%2F..%2Fv1%2Fcustomers',
      'intruder',
    );
    for (const result of [foreign, missing, malformed]) {
      expect([result.status, result.body.error.code]).toEqual([404, 'checkout_session_not_found']);
    }
  });
});
