import { PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import type { LocalStack } from '../../../../../local/local-stack';
import { localDynamoClient } from '../../../../../local/services/aws-clients';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { callApi, sandboxStripe, startTestStack } from '../../../../support/test-stack';

jest.setTimeout(30_000);

let stack: LocalStack;
let stripe: Stripe;
beforeAll(async () => {
  stack = await startTestStack();
  stripe = sandboxStripe(stack, LOCAL_SECRET_DEFAULTS.stripeSecretKey);
});
afterAll(async () => {
  await stack.stop();
});

const call = (method: string, path: string, userId: string, body?: unknown) =>
  callApi(stack, method, path, userId, body);

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
