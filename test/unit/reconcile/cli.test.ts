import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { loadReconcileConfig } from '../../../lambda/reconcile/config';
import { ENV } from '../../../lambda/shared/function-environment';
import { parseReplayArguments } from '../../../scripts/lib/replay-command';
import {
  awsWebhookSecret,
  loadDeployedConfig,
  resolveTarget,
  topicArnBeside,
} from '../../../scripts/lib/targets';
import { parseWebhookArguments } from '../../../scripts/lib/webhook-command';
import { UsageError } from '../../../scripts/lib/cli';

/** Secrets Manager in memory: GetSecretValue and PutSecretValue by name. */
function fakeSecretsManager(values: Record<string, string>) {
  const puts: { name: string; value: string }[] = [];
  const client = {
    send: (command: unknown) => {
      if (command instanceof GetSecretValueCommand) {
        const name = command.input.SecretId ?? '';
        const value = values[name];
        if (value === undefined) {
          return Promise.reject(
            Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }),
          );
        }
        return Promise.resolve({
          SecretString: value,
          ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`,
        });
      }
      if (command instanceof PutSecretValueCommand) {
        const name = command.input.SecretId ?? '';
        const value = command.input.SecretString ?? '';
        values[name] = value;
        puts.push({ name, value });
        return Promise.resolve({});
      }
      return Promise.reject(new Error('unexpected command'));
    },
    destroy: () => undefined,
  };
  return { client: client as unknown as SecretsManagerClient, puts, values };
}

const noClient = { destroy: () => undefined };

describe('npm run replay arguments', () => {
  it('takes --env, --since, --event, --context and --json', () => {
    expect(
      parseReplayArguments([
        '--env',
        'dev',
        '--since',
        '2026-11-01T00:00:00Z',
        '--context',
        'projectName=acme',
        '--json',
      ]),
    ).toMatchObject({
      env: 'dev',
      since: new Date('2026-11-01T00:00:00Z'),
      context: { projectName: 'acme' },
      json: true,
    });
    expect(parseReplayArguments(['--event', 'evt_123'])).toMatchObject({ eventId: 'evt_123' });
    expect(parseReplayArguments([])).toEqual({ context: {}, json: false, verbose: false });
  });

  it.each([
    [['--since', 'yesterday'], /ISO 8601/],
    [['--since', '2999-01-01T00:00:00Z'], /future/],
    [['--event', 'pi_123'], /evt_/],
    [['--since', '2026-01-01T00:00:00Z', '--event', 'evt_1'], /not both/],
    [['--whatever'], /Unknown option/],
    [['--context', 'novalue'], /key=value/],
    [['stray'], /positional/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseReplayArguments(argv)).toThrow(UsageError);
    expect(() => parseReplayArguments(argv)).toThrow(message);
  });
});

describe('npm run stripe:webhook arguments', () => {
  it('needs --url; --env needs https, and --roll needs --store', () => {
    expect(() => parseWebhookArguments([])).toThrow('--url is required');
    expect(() => parseWebhookArguments(['--url', 'not a url'])).toThrow(/absolute http/);
    expect(() =>
      parseWebhookArguments(['--env', 'dev', '--url', 'http://api.example.com/stripe/webhook']),
    ).toThrow(/https/);
    expect(() =>
      parseWebhookArguments([
        '--env',
        'dev',
        '--url',
        'https://a.example/stripe/webhook',
        '--roll',
      ]),
    ).toThrow(/--roll needs --store/);
    expect(
      parseWebhookArguments(['--url', 'http://localhost:3000/stripe/webhook', '--roll']),
    ).toMatchObject({ roll: true, store: false });
  });
});

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

describe('storing the webhook signing secrets', () => {
  it('keeps a plain secret plain, comma-separated', async () => {
    const secrets = fakeSecretsManager({ hook: 'whsec_old' });
    const store = awsWebhookSecret(secrets.client, { name: 'hook' });
    expect(await store.read()).toEqual(['whsec_old']);
    await store.write(['whsec_new', 'whsec_old']);
    expect(secrets.values.hook).toBe('whsec_new,whsec_old');
  });

  it('keeps {"key": ...} and the other fields of a combined secret', async () => {
    const secrets = fakeSecretsManager({
      keyed: JSON.stringify({ key: 'whsec_old' }),
      combined: JSON.stringify({
        stripe_webhook_secret: 'whsec_old',
        jwt_access_token_secret: 'j',
      }),
    });
    await awsWebhookSecret(secrets.client, { name: 'keyed' }).write(['whsec_new']);
    expect(JSON.parse(secrets.values.keyed ?? '')).toEqual({ key: 'whsec_new' });
    const combined = awsWebhookSecret(secrets.client, {
      name: 'combined',
      field: 'stripe_webhook_secret',
    });
    await combined.write(['whsec_new', 'whsec_old']);
    expect(JSON.parse(secrets.values.combined ?? '')).toEqual({
      stripe_webhook_secret: 'whsec_new,whsec_old',
      jwt_access_token_secret: 'j',
    });
  });

  it('never creates a secret operators did not create', async () => {
    const secrets = fakeSecretsManager({});
    const store = awsWebhookSecret(secrets.client, { name: 'missing' });
    expect(await store.read()).toBeUndefined();
    await expect(store.write(['whsec_x'])).rejects.toThrow(/does not exist/);
    expect(secrets.puts).toEqual([]);
  });
});

describe('the reconciliation function configuration', () => {
  it('names every missing setting at once, and defaults the interval to 15 minutes', () => {
    expect(() => loadReconcileConfig({})).toThrow(
      new RegExp(
        [ENV.customersTable, ENV.reconciliationStateTable, ENV.stripeSecretKeyName].join('.*'),
      ),
    );
    const config = loadReconcileConfig({
      [ENV.customersTable]: 'c',
      [ENV.eventLedgerTable]: 'i',
      [ENV.parkedEventsTable]: 'p',
      [ENV.subscriptionOrderTable]: 's',
      [ENV.billingEventsTopicArn]: 'arn:aws:sns:eu-west-1:1:t',
      [ENV.reconciliationStateTable]: 'r',
      [ENV.stripeSecretKeyName]: 'k',
    });
    expect(config).toMatchObject({ reconcileIntervalMinutes: 15, stripeSecretKey: { name: 'k' } });
    // It reads no webhook secret: the Stripe key is its only secret.
    expect(JSON.stringify(config)).not.toMatch(/webhook-secret|WEBHOOK_SECRET/);
  });
});
