import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import { StripeClientProvider } from '../../lambda/adapters/stripe-client-provider';
import {
  awsDynamoClient,
  awsSecretsManagerClient,
  awsSnsClient,
} from '../../lambda/core/aws-clients';
import { ConfigurationError } from '../../lambda/core/config';
import { parseSecretValue, StaticSecretStore } from '../../lambda/core/secrets';
import type { ReconcileConfig } from '../../lambda/reconcile/config';
import {
  CUSTOMERS_TABLE,
  EVENT_LEDGER_TABLE,
  PARKED_EVENTS_TABLE,
  RECONCILIATION_STATE_TABLE,
  SUBSCRIPTION_ORDER_TABLE,
} from '../../lambda/shared/tables';
import {
  type ContextSource,
  loadServiceConfig,
  resourceName,
  type ServiceConfig,
  stackName,
} from '../../lib/config';
import {
  type ExternalResourceNames,
  externalResourceNames,
} from '../../lib/external-resource-names';
import { CommandFailedError, UsageError } from './cli';
import { awsWebhookSecret, describeSecretRef, readSecret } from './secrets-manager';
import type { Target } from './target';

// A deployed environment: its resources named as the stack names them (lib/config/ and
// cdk.json), the AWS SDK's default credentials and region.

export interface AwsClients {
  readonly secretsManager: SecretsManagerClient;
  readonly dynamo: DynamoDBClient;
  readonly sns: SNSClient;
}

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The AWS SDK's default credentials and region, with the functions' budgets. */
export const defaultAwsClients = (): AwsClients => ({
  secretsManager: awsSecretsManagerClient(),
  dynamo: awsDynamoClient(),
  sns: awsSnsClient(),
});

/** The Stripe key as read from its secret: the raw value, the key itself, the secret's ARN. */
interface StripeKeySecret {
  readonly raw: string;
  readonly value: string;
  readonly arn: string;
}

export function deployedTarget(config: ServiceConfig, clients: AwsClients): Target {
  const { secretsManager, dynamo, sns } = clients;
  const names = externalResourceNames(config);
  const stripeKeyRef = names.secrets.stripeSecretKey;

  // Read once: its ARN names the account, region and partition the stack's resources are in.
  let stripeKey: Promise<StripeKeySecret> | undefined;
  const readStripeKey = () =>
    (stripeKey ??= readSecret(secretsManager, stripeKeyRef.name).then(({ value, arn }) => ({
      raw: value,
      value: parseSecretValue(value, stripeKeyRef),
      arn,
    })));

  return {
    local: false,
    description: `${config.environmentName} (stack ${stackName(config)})`,
    serviceName: stackName(config),
    stripe: new StripeClientProvider(async () => (await readStripeKey()).value),
    stripeDescription: `Stripe (key from ${describeSecretRef(stripeKeyRef)})`,
    webhookSecret: awsWebhookSecret(secretsManager, names.secrets.stripeWebhookSecret),
    reconciliation: async () => {
      const key = await readStripeKey();
      return {
        config: deployedReconcileConfig(config, names, key.arn),
        infrastructure: {
          dynamo,
          sns,
          // Read once above, for the topic's ARN; the reconciliation reads it from here.
          secrets: new StaticSecretStore({ [stripeKeyRef.name]: key.raw }),
        },
      };
    },
    close: () => {
      dynamo.destroy();
      sns.destroy();
      secretsManager.destroy();
    },
  };
}

/** The reconciliation's configuration for the stack's resources; the topic beside the key. */
function deployedReconcileConfig(
  config: ServiceConfig,
  names: ExternalResourceNames,
  stripeKeyArn: string,
): ReconcileConfig {
  const topic = names.billingEventsTopic;
  return {
    customersTable: resourceName(config, CUSTOMERS_TABLE.nameSuffix),
    eventLedgerTable: resourceName(config, EVENT_LEDGER_TABLE.nameSuffix),
    parkedEventsTable: resourceName(config, PARKED_EVENTS_TABLE.nameSuffix),
    subscriptionOrderTable: resourceName(config, SUBSCRIPTION_ORDER_TABLE.nameSuffix),
    reconciliationStateTable: resourceName(config, RECONCILIATION_STATE_TABLE.nameSuffix),
    billingEventsTopicArn: 'arn' in topic ? topic.arn : topicArnBeside(stripeKeyArn, topic.name),
    accessPolicy: { pastDueGraceDays: config.settings.pastDueGraceDays },
    stripeSecretKey: names.secrets.stripeSecretKey,
    secretsCacheMaxAgeSeconds: config.settings.secretsCacheMaxAgeSeconds,
    reconcileIntervalMinutes: config.settings.reconciliation.intervalMinutes,
  };
}

/** cdk.json's context, the command line's `--context` over it, and `env`: as `cdk` sees them. */
export function loadDeployedConfig(
  env: string,
  cliContext: Readonly<Record<string, string>>,
  processEnv: NodeJS.ProcessEnv,
  projectRoot = PROJECT_ROOT,
): ServiceConfig {
  let fileContext: Record<string, unknown>;
  try {
    const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as {
      context?: Record<string, unknown>;
    };
    fileContext = cdkJson.context ?? {};
  } catch (error) {
    throw new CommandFailedError(
      `Cannot read cdk.json in ${projectRoot}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const context: ContextSource = {
    tryGetContext: (key) => (key === 'env' ? env : (cliContext[key] ?? fileContext[key])),
  };
  try {
    return loadServiceConfig(context, processEnv);
  } catch (error) {
    if (error instanceof ConfigurationError)
      throw new UsageError(error.message.replace('--context env=<name>', '--env <name>'));
    throw error;
  }
}

/** The topic's ARN in the secret's account, region and partition: where the stack puts it. */
export function topicArnBeside(secretArn: string, topicName: string): string {
  const [, partition, , region, account] = secretArn.split(':');
  if (!partition || !region || !account) {
    throw new CommandFailedError(`Unexpected secret ARN ${secretArn}.`);
  }
  return `arn:${partition}:sns:${region}:${account}:${topicName}`;
}
