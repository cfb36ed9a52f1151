import { IdempotencyPersistenceLayerError } from '@aws-lambda-powertools/idempotency';
import {
  countDependencyFailure,
  dependencyFailureKind,
} from '../../../../lambda/core/dependency-metrics';
import { invalidRequest, stripeFailure, stripeRateLimited } from '../../../../lambda/core/errors';
import { METRICS } from '../../../../lambda/domain/metrics';
import { RecordingMetrics } from '../../../support/emf-capture';

/** An error as `namedDependency` (or a Stripe adapter) tags it. */
const tagged = (dependency: string, fields: Record<string, unknown>) =>
  Object.assign(new Error('failed'), { dependency, operation: 'op', ...fields });

describe('dependencyFailureKind', () => {
  it('classifies Stripe failures', () => {
    expect(
      dependencyFailureKind(
        stripeFailure({ operation: 'customers.create', type: 'StripeConnectionError' }),
      ),
    ).toEqual({ dependency: 'stripe', timedOut: true });
    expect(
      dependencyFailureKind(
        stripeFailure({ operation: 'customers.create', type: 'StripeRateLimitError' }),
      ),
    ).toEqual({ dependency: 'stripe', timedOut: false });
    expect(
      dependencyFailureKind(
        stripeRateLimited({ operation: 'customers.create', type: 'StripeRateLimitError' }, 1),
      ),
    ).toEqual({ dependency: 'stripe', timedOut: false, rateLimited: true });
    expect(dependencyFailureKind(tagged('Stripe', { type: 'StripeConnectionError' }))).toEqual({
      dependency: 'stripe',
      timedOut: true,
    });
    expect(dependencyFailureKind(tagged('Stripe', { type: 'StripeAPIError' }))).toEqual({
      dependency: 'stripe',
      timedOut: false,
    });
  });

  it('classifies AWS failures, timeouts by the SDK error name, also when wrapped', () => {
    const timeout = tagged('DynamoDB', { name: 'TimeoutError' });
    expect(dependencyFailureKind(timeout)).toEqual({ dependency: 'aws', timedOut: true });
    expect(dependencyFailureKind(tagged('SNS', { name: 'InternalErrorException' }))).toEqual({
      dependency: 'aws',
      timedOut: false,
    });
    // Powertools idempotency wraps the SDK's error as its cause.
    const wrapped = new IdempotencyPersistenceLayerError('Failed to put record', {
      cause: timeout,
    });
    expect(dependencyFailureKind(wrapped)).toEqual({ dependency: 'aws', timedOut: true });
  });

  it('is none for a caller mistake or a bug', () => {
    expect(dependencyFailureKind(invalidRequest('bad'))).toBeUndefined();
    expect(dependencyFailureKind(new TypeError('x is undefined'))).toBeUndefined();
    expect(dependencyFailureKind('a string')).toBeUndefined();
  });
});

describe('countDependencyFailure', () => {
  it.each([
    [
      'a Stripe timeout',
      stripeFailure({ operation: 'prices.create', type: 'StripeConnectionError' }),
      { [METRICS.stripeCallFailures]: 1, [METRICS.stripeTimeouts]: 1 },
    ],
    [
      'a Stripe failure',
      stripeFailure({ operation: 'prices.create', type: 'StripeAPIError' }),
      { [METRICS.stripeCallFailures]: 1 },
    ],
    [
      'an AWS timeout',
      tagged('Secrets Manager', { name: 'TimeoutError' }),
      { [METRICS.awsCallFailures]: 1, [METRICS.awsTimeouts]: 1 },
    ],
    [
      'an AWS failure',
      tagged('DynamoDB', { name: 'ProvisionedThroughputExceededException' }),
      { [METRICS.awsCallFailures]: 1 },
    ],
    [
      "Stripe's rate limits, outlasting the retries (a capacity signal, not a failure of Stripe)",
      stripeRateLimited({ operation: 'checkout.sessions.create', type: 'StripeRateLimitError' }, 1),
      { [METRICS.stripeRateLimited]: 1 },
    ],
    ['a bug', new Error('boom'), {}],
  ])('counts %s', (_name, error, expected) => {
    const metrics = new RecordingMetrics();
    countDependencyFailure(metrics, error);
    expect(metrics.totals()).toEqual(expected);
  });
});
