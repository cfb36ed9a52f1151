import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { loadDeployedConfig, topicArnBeside } from '../../../../scripts/lib/deployed-target';
import { resolveTarget } from '../../../../scripts/lib/targets';
import { fakeSecretsManager } from '../../../support/fake-secrets-manager';

const noClient = { destroy: () => undefined };

describe('a deployed environment', () => {
  it('is named from cdk.json and --context as the stack names it; a wrong env names the valid ones', () => {
    const config = loadDeployedConfig('dev', { projectName: 'acme' }, {});
    expect(config).toMatchObject({ projectName: 'acme', environmentName: 'dev' });
    expect(() => loadDeployedConfig('qa', {}, {})).toThrow(
      /--env <name>; valid environments: dev, staging, prod/,
    );
  });

  it("reads the Stripe key from Secrets Manager and names the stack's tables and topic", async () => {
    const secrets = fakeSecretsManager({ 'acme-dev-stripe-secret-key': 'sk_test_123' });
    const target = resolveTarget({
      env: 'dev',
      context: { projectName: 'acme' },
      processEnv: {},
      awsClients: {
        secretsManager: secrets.client,
        dynamo: noClient as unknown as DynamoDBClient,
        sns: noClient as unknown as SNSClient,
      },
    });
    expect(target.serviceName).toBe('acme-dev-stripe-service');
    const { config, infrastructure } = await target.reconciliation();
    expect(config).toEqual({
      customersTable: 'acme-dev-stripe-customers',
      eventLedgerTable: 'acme-dev-stripe-webhook-idempotency',
      parkedEventsTable: 'acme-dev-stripe-parked-events',
      subscriptionOrderTable: 'acme-dev-stripe-subscription-order',
      reconciliationStateTable: 'acme-dev-stripe-reconciliation-state',
      billingEventsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:acme-dev-billing-events',
      accessPolicy: { pastDueGraceDays: 7 },
      stripeSecretKey: { name: 'acme-dev-stripe-secret-key' },
      secretsCacheMaxAgeSeconds: 300,
      reconcileIntervalMinutes: 15,
    });
    expect(await infrastructure.secrets.get('acme-dev-stripe-secret-key')).toBe('sk_test_123');
    target.close();
  });

  it('reads the key from the combined secret when combinedSecretName is set', async () => {
    const secrets = fakeSecretsManager({
      'dev-acme_secrets': JSON.stringify({ stripe_secret_key: 'sk_test_c', other: 'x' }),
    });
    const target = resolveTarget({
      env: 'dev',
      context: { projectName: 'acme', combinedSecretName: 'dev-acme_secrets' },
      processEnv: {},
      awsClients: {
        secretsManager: secrets.client,
        dynamo: noClient as unknown as DynamoDBClient,
        sns: noClient as unknown as SNSClient,
      },
    });
    const { config } = await target.reconciliation();
    expect(config.stripeSecretKey).toEqual({
      name: 'dev-acme_secrets',
      field: 'stripe_secret_key',
    });
    const client = await target.stripe.client();
    expect(client).toBeDefined();
    expect(target.webhookSecret.description).toBe(
      'secret dev-acme_secrets, field "stripe_webhook_secret"',
    );
  });

  it('puts the topic beside the secret: same partition, region and account', () => {
    expect(
      topicArnBeside('arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:x-AbCdEf', 't'),
    ).toBe('arn:aws-cn:sns:cn-north-1:111122223333:t');
  });
});
