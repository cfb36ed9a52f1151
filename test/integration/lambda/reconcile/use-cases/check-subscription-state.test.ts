import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import {
  buildReconcileHandler,
  buildReconciler,
} from '../../../../../lambda/reconcile/composition-root';
import { STATE_CHECK_EVENT_TYPE } from '../../../../../lambda/reconcile/use-cases/check-subscription-state';
import { SUBSCRIPTION_ORDER_TABLE } from '../../../../../lambda/shared/tables';
import { localContext } from '../../../../../local/http-adapter';
import type { LocalStack } from '../../../../../local/local-stack';
import { localDynamoClient, localSnsClient } from '../../../../../local/services/aws-clients';
import { localReconcileConfig } from '../../../../../scripts/lib/targets';
import {
  billingEventsOf,
  deliveriesSettled,
  stripeFor,
  subscribedUser,
} from '../../../../support/reconciliation';
import { silentLogger, startTestStack } from '../../../../support/test-stack';

jest.setTimeout(90_000);

/**
 * State that heals (contract section 5), on the local stack: a subscription whose high-water
 * mark lies in the year 9999 (what one forged event left before admission parked such
 * events) supersedes Stripe's real cancellation; the next reconciliation run's state check
 * publishes the cancellation, and real events flow again.
 */
let stack: LocalStack;
let stripe: Stripe;
let dynamo: DynamoDBClient;
let sns: SNSClient;

beforeAll(async () => {
  stack = await startTestStack();
  stripe = stripeFor(stack);
  dynamo = localDynamoClient(stack.endpoints.dynamodb);
  sns = localSnsClient(stack.endpoints.sns);
});
afterAll(async () => {
  dynamo.destroy();
  sns.destroy();
  await stack.stop();
});

function infrastructure() {
  const { stripeConnection } = stack.functions;
  return {
    dynamo,
    sns,
    secrets: stack.functions.secrets,
    logger: silentLogger(),
    ...(stripeConnection ? { stripeConnection } : {}),
  };
}
const config = () => localReconcileConfig(stack.names, stack.billingEventsTopicArn);
const reconciler = () => buildReconciler(config(), infrastructure());

/** The mark a far-future event left before admission: the year 9999, no state recorded. */
async function plantFutureMark(subscriptionId: string): Promise<void> {
  await DynamoDBDocumentClient.from(dynamo).send(
    new PutCommand({
      TableName: stack.names.subscriptionOrderTable,
      Item: {
        [SUBSCRIPTION_ORDER_TABLE.partitionKey.name]: subscriptionId,
        lastCreated: 253402300799,
        lastEventId: 'evt_forged_year_9999',
        version: 1000,
      },
    }),
  );
}

const about = (events: readonly BillingEvent[], subscription: Stripe.Subscription) =>
  events.filter((event) => event.data.subscriptionId === subscription.id);

describe('the state check', () => {
  it('ends the consumer on canceled within one reconciliation run after a far-future mark', async () => {
    const userId = 'user-state-check-future';
    const subscription = await subscribedUser(stack, stripe, userId);
    await plantFutureMark(subscription.id);
    await stripe.subscriptions.cancel(subscription.id);
    await deliveriesSettled(stack);
    const before = about(await billingEventsOf(stack, userId), subscription);
    // The real cancellation was superseded by the year 9999: consumers still see it active.
    expect(before.at(-1)?.data.status).not.toBe('canceled');

    const report = await reconciler().reconcile({ context: localContext('stripe-reconcile') });
    expect(report.stateCheck.counts.healed).toBe(1);
    const after = about(await billingEventsOf(stack, userId), subscription);
    expect(after.at(-1)).toMatchObject({
      type: 'subscription.updated',
      stripeEventType: STATE_CHECK_EVENT_TYPE,
      data: { status: 'canceled' },
    });
    expect(report.stateCheck.healed).toEqual([after.at(-1)?.id]);

    // Healed for good: a second run finds it in step and publishes nothing more.
    const again = await reconciler().reconcile({ context: localContext('stripe-reconcile') });
    expect(again.stateCheck.counts).toMatchObject({ healed: 0, failed: 0 });
    expect(about(await billingEventsOf(stack, userId), subscription)).toHaveLength(after.length);
  });

  it('checks one subscription on demand, publishing Stripe’s state once', async () => {
    const userId = 'user-state-check-on-demand';
    const subscription = await subscribedUser(stack, stripe, userId);
    await plantFutureMark(subscription.id);
    await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await deliveriesSettled(stack);

    const first = await reconciler().checkSubscription(subscription.id);
    expect(first.outcome).toBe('healed');
    const second = await reconciler().checkSubscription(subscription.id);
    expect(second.outcome).toBe('in_step');
    const corrections = about(await billingEventsOf(stack, userId), subscription).filter(
      (event) => event.stripeEventType === STATE_CHECK_EVENT_TYPE,
    );
    expect(corrections).toHaveLength(1);
    expect(corrections[0]?.data.cancelAtPeriodEnd).toBe(true);
  });

  it('runs for one subscription when the function is invoked with {"subscriptionId"}', async () => {
    const handler = buildReconcileHandler(config(), infrastructure());
    await expect(
      handler({ subscriptionId: 'sub_neverPublished43' }, localContext('stripe-reconcile')),
    ).resolves.toEqual({ subscriptionId: 'sub_neverPublished43', outcome: 'not_published' });
  });
});
