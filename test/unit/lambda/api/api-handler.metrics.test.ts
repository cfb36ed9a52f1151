import { Logger } from '@aws-lambda-powertools/logger';
import { createApiHandler } from '../../../../lambda/api/api-handler';
import { JwtAuthenticator } from '../../../../lambda/core/auth';
import { stripeFailure } from '../../../../lambda/core/errors';
import type { CatalogPrice } from '../../../../lambda/domain/catalog';
import { METRICS } from '../../../../lambda/domain/metrics';
import { RedirectPolicy } from '../../../../lambda/domain/redirect-policy';
import { ROUTES } from '../../../../lambda/shared/routes';
import { apiEvent, lambdaContext } from '../../../support/api-events';
import { RecordingMetrics } from '../../../support/emf-capture';
import { FakeStripe, InMemoryCustomers } from '../../../support/fake-billing';
import { InMemoryCatalog, InMemoryCatalogSync } from '../../../support/fake-catalog';
import { InMemoryCatalogSnapshot } from '../../../support/fake-catalog-snapshot';
import { signAccessToken } from '../../../support/tokens';

const SECRET = 'api-metrics-secret-0123456789';
const price: CatalogPrice = {
  priceId: 'monthly',
  productId: 'course',
  unitAmount: 1500,
  currency: 'usd',
  type: 'recurring',
  interval: 'month',
  intervalCount: 1,
  active: true,
};

/** The API handler over fakes, counting into a recorder. */
function api() {
  const metrics = new RecordingMetrics();
  const stripe = new FakeStripe();
  const customers = new InMemoryCustomers();
  const handler = createApiHandler({
    logger: new Logger({ logLevel: 'SILENT' }),
    authenticator: new JwtAuthenticator(() => Promise.resolve(SECRET)),
    catalog: new InMemoryCatalog(
      [{ productId: 'course', name: 'Course', active: true }],
      [{ ...price }],
    ),
    catalogSync: new InMemoryCatalogSync(),
    priceListing: new InMemoryCatalogSnapshot(),
    customers,
    stripe,
    redirects: new RedirectPolicy(['https://app.example.com']),
    now: () => new Date('2026-11-23T10:00:00Z'),
    metrics,
  });
  const checkout = async (priceId = 'monthly') => {
    const token = await signAccessToken({ secret: SECRET, subject: 'user-1' });
    const response = await handler(
      apiEvent(ROUTES.createCheckoutSession, {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          priceId,
          successUrl: 'https://app.example.com/ok',
          cancelUrl: 'https://app.example.com/cancel',
        }),
      }),
      lambdaContext(),
    );
    return response.statusCode;
  };
  return { metrics, stripe, customers, checkout };
}

/** An AWS SDK error as `namedDependency` leaves it: tagged with what failed. */
const awsFailure = (name: string) =>
  Object.assign(new Error('DynamoDB failed'), {
    name,
    dependency: 'DynamoDB',
    operation: 'GetItem',
  });

describe('API metrics', () => {
  it('counts a checkout session once it is created, and nothing else', async () => {
    const { metrics, checkout } = api();
    expect(await checkout()).toBe(200);
    expect(metrics.totals()).toEqual({ [METRICS.checkoutSessionsCreated]: 1 });
  });

  it('counts no session for a failed checkout (unknown price: the caller mistake is no failure)', async () => {
    const { metrics, checkout } = api();
    expect(await checkout('no-such-price')).toBe(404);
    expect(metrics.totals()).toEqual({});
  });

  it('counts a Stripe timeout as a Stripe failure and a Stripe timeout', async () => {
    const { metrics, stripe, checkout } = api();
    jest
      .spyOn(stripe, 'createCheckoutSession')
      .mockRejectedValue(
        stripeFailure({ operation: 'checkout.sessions.create', type: 'StripeConnectionError' }),
      );
    expect(await checkout()).toBe(502);
    expect(metrics.totals()).toEqual({
      [METRICS.stripeCallFailures]: 1,
      [METRICS.stripeTimeouts]: 1,
    });
  });

  it('counts another Stripe error as a failure only', async () => {
    const { metrics, stripe, checkout } = api();
    jest
      .spyOn(stripe, 'createCheckoutSession')
      .mockRejectedValue(
        stripeFailure({ operation: 'checkout.sessions.create', type: 'StripeAPIError' }),
      );
    expect(await checkout()).toBe(502);
    expect(metrics.totals()).toEqual({ [METRICS.stripeCallFailures]: 1 });
  });

  it.each([
    ['a timeout', 'TimeoutError', { [METRICS.awsCallFailures]: 1, [METRICS.awsTimeouts]: 1 }],
    ['a throttle', 'ThrottlingException', { [METRICS.awsCallFailures]: 1 }],
  ])('counts %s of DynamoDB as an AWS failure', async (_name, errorName, expected) => {
    const { metrics, customers, checkout } = api();
    jest.spyOn(customers, 'get').mockRejectedValue(awsFailure(errorName));
    expect(await checkout()).toBe(500);
    expect(metrics.totals()).toEqual(expected);
  });
});
