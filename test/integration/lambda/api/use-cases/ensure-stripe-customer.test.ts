import { userKey } from '../../../../../lambda/domain/stripe-identity';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type Stripe from 'stripe';
import { DynamoCustomerRepository } from '../../../../../lambda/adapters/dynamo-customer-repository';
import {
  StripeClientProvider,
  StripeSdkGateway,
  call,
} from '../../../../../lambda/adapters/stripe-sdk-gateway';
import {
  ensureStripeCustomer,
  replaceMissingCustomer,
} from '../../../../../lambda/api/use-cases/ensure-stripe-customer';
import { HttpError } from '../../../../../lambda/core/errors';
import { StripeCustomerMissingError } from '../../../../../lambda/domain/stripe-gateway';
import { CUSTOMERS_TABLE } from '../../../../../lambda/shared/tables';
import { localDynamoClient } from '../../../../../local/services/aws-clients';
import { createTable } from '../../../../../local/services/provision';
import { type StripeSandbox, startStripeSandbox } from 'stripe-sandbox';
import { serviceEndpoint } from '../../../../support/services';
import { uniqueProjectName } from '../../../../support/test-stack';
import { patientStripe } from '../../../../support/patient-stripe';

jest.setTimeout(30_000);

const KEY = 'sk_test_mapping';
let client: DynamoDBClient;
let sandbox: StripeSandbox;
let stripe: Stripe;
let deps: Parameters<typeof ensureStripeCustomer>[0];
let customers: DynamoCustomerRepository;

beforeAll(async () => {
  client = localDynamoClient(serviceEndpoint('dynamodb'));
  const table = `${uniqueProjectName('mapping')}-customers`;
  await createTable(client, CUSTOMERS_TABLE, table);
  sandbox = await startStripeSandbox({ port: 0, webhookSecret: 'whsec_unused' });
  const connection = { host: '127.0.0.1', port: sandbox.port, protocol: 'http' as const };
  stripe = patientStripe(sandbox.port, KEY);
  customers = new DynamoCustomerRepository(DynamoDBDocumentClient.from(client), table);
  deps = {
    customers,
    stripe: new StripeSdkGateway(new StripeClientProvider(() => Promise.resolve(KEY), connection)),
    now: () => new Date(),
  };
});
afterAll(async () => {
  client.destroy();
  await sandbox.stop();
});

describe('customer mapping on DynamoDB Local and the Stripe sandbox', () => {
  it('20 concurrent first requests of one new user: one Stripe customer, one mapping', async () => {
    const user = { userId: `user-${Date.now()}`, email: 'concurrent@example.com' };
    const ids = await Promise.all(
      Array.from({ length: 20 }, () => ensureStripeCustomer(deps, user)),
    );
    expect(new Set(ids).size).toBe(1);
    const inStripe = await stripe.customers.list({ email: 'concurrent@example.com', limit: 100 });
    expect(inStripe.data.map((c) => c.id)).toEqual([ids[0]]);
    expect(inStripe.data[0]?.metadata).toEqual({
      userId: user.userId,
      userKey: userKey(user.userId),
    });
    expect(await customers.get(user.userId)).toMatchObject({
      stripeCustomerId: ids[0],
      email: 'concurrent@example.com',
    });
  });

  it('heals a mapping whose customer Stripe deleted', async () => {
    const user = { userId: `user-heal-${Date.now()}`, email: 'heal@example.com' };
    const original = await ensureStripeCustomer(deps, user);
    await stripe.customers.del(original);
    const price = await stripe.prices.create({
      product: (await stripe.products.create({ name: 'p' })).id,
      currency: 'usd',
      unit_amount: 100,
    });
    const attempt = () =>
      call(
        'checkout.sessions.create',
        () =>
          stripe.checkout.sessions.create({
            mode: 'payment',
            customer: original,
            line_items: [{ price: price.id, quantity: 1 }],
          }),
        original,
      );
    await expect(attempt()).rejects.toBeInstanceOf(StripeCustomerMissingError);
    const replacement = await replaceMissingCustomer(deps, user, original);
    expect(replacement).not.toBe(original);
    expect((await customers.get(user.userId))?.stripeCustomerId).toBe(replacement);
    expect((await stripe.customers.retrieve(replacement)).deleted).toBeUndefined();
  });

  it('turns any other Stripe failure into a 502 stripe_error whose log fields name the operation, the error type and Stripe request id', async () => {
    await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 500, count: 5, path_prefix: '/v1/customers' }),
    });
    const failure = await ensureStripeCustomer(deps, { userId: `user-fail-${Date.now()}` }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(HttpError);
    expect(failure).toMatchObject({
      status: 502,
      code: 'stripe_error',
      logFields: {
        dependency: 'Stripe',
        operation: 'customers.create',
        stripeErrorType: 'StripeAPIError',
        stripeRequestId: expect.stringMatching(/^req_/) as unknown,
      },
    });
  });
});
