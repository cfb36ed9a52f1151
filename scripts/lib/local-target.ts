import { DEFAULT_ACCESS_POLICY } from '../../lambda/domain/access';
import {
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { ListTopicsCommand, type SNSClient } from '@aws-sdk/client-sns';
import { StripeClientProvider } from '../../lambda/adapters/stripe-client-provider';
import type { Environment } from '../../lambda/core/config';
import { parseSecretList, parseSecretValue } from '../../lambda/core/secrets';
import { loadReconcileConfig, type ReconcileConfig } from '../../lambda/reconcile/config';
import { ENV } from '../../lambda/shared/function-environment';
import type { SecretRef } from '../../lambda/shared/secrets';
import {
  LOCAL_SECRET_DEFAULTS,
  loadLocalConfig,
  type LocalConfig,
  localStackName,
  PORT_ENV_VARS,
  SECRET_ENV_VARS,
} from '../../local/config';
import { localDynamoClient, localSnsClient } from '../../local/services/aws-clients';
import { loopbackUrl } from '../../local/services/ports';
import { localSecretStore } from '../../local/stack/function-settings';
import { type LocalResourceNames, localResourceNames } from '../../local/stack/resource-names';
import { sandboxConnectionAt } from '../../local/stack/stripe-sandbox';
import { CommandFailedError, UsageError } from './cli';
import type { Target, WebhookSecretStore } from './target';

/** The variables `npm start` and the commands find the local stack by. */
const STACK_VARIABLES = Object.values(PORT_ENV_VARS).concat('PROJECT_NAME').join(', ');

/** The local stack (`npm start`): its ports and project name from the same variables. */
export function localTarget(
  processEnv: NodeJS.ProcessEnv,
  context: Readonly<Record<string, string>>,
): Target {
  if (Object.keys(context).length > 0) {
    throw new UsageError('--context applies to a deployed environment: give --env too.');
  }
  const config = asUsageError(() => loadLocalConfig(processEnv));
  const names = localResourceNames(config);
  const endpoints = {
    dynamodb: loopbackUrl(config.ports.dynamodb),
    sns: loopbackUrl(config.ports.sns),
  };
  const stripeConnection =
    config.stripe === 'sandbox' ? sandboxConnectionAt(config.ports.stripeSandbox) : undefined;
  const secrets = localSecretStore(config, names);
  const stripeKey: SecretRef = { name: names.secrets.stripeSecretKey };
  const dynamo = localDynamoClient(endpoints.dynamodb);
  const sns = localSnsClient(endpoints.sns);

  return {
    local: true,
    description: `the local stack (project ${config.projectName})`,
    serviceName: localStackName(config),
    stripe: new StripeClientProvider(
      async () => parseSecretValue(await secrets.get(stripeKey.name), stripeKey),
      stripeConnection,
    ),
    stripeDescription: stripeConnection
      ? `the Stripe sandbox at ${loopbackUrl(config.ports.stripeSandbox)}`
      : 'Stripe (test mode, STRIPE_SECRET_KEY)',
    webhookSecret: localWebhookSecret(config),
    reconciliation: async () => {
      await expectLocalTable(dynamo, names.reconciliationStateTable, endpoints.dynamodb);
      const topicArn = await findLocalTopic(sns, names.billingEventsTopic, endpoints.sns);
      return {
        config: asUsageError(() => localReconcileConfig(names, topicArn, processEnv)),
        infrastructure: { dynamo, sns, secrets, ...(stripeConnection ? { stripeConnection } : {}) },
      };
    },
    close: () => {
      dynamo.destroy();
      sns.destroy();
    },
  };
}

/**
 * The reconciliation's configuration for local resources (tests build theirs with it too),
 * read by the reconcile function's own `loadReconcileConfig` from the variables the stack
 * sets on it: `RECONCILE_INTERVAL_MINUTES` from `processEnv` is checked there, once.
 */
export function localReconcileConfig(
  names: LocalResourceNames,
  billingEventsTopicArn: string,
  processEnv: Environment = {},
): ReconcileConfig {
  return loadReconcileConfig({
    [ENV.customersTable]: names.customersTable,
    [ENV.eventLedgerTable]: names.eventLedgerTable,
    [ENV.parkedEventsTable]: names.parkedEventsTable,
    [ENV.subscriptionOrderTable]: names.subscriptionOrderTable,
    [ENV.billingEventsTopicArn]: billingEventsTopicArn,
    [ENV.pastDueGraceDays]: String(DEFAULT_ACCESS_POLICY.pastDueGraceDays),
    [ENV.reconciliationStateTable]: names.reconciliationStateTable,
    [ENV.stripeSecretKeyName]: names.secrets.stripeSecretKey,
    [ENV.reconcileIntervalMinutes]: processEnv[ENV.reconcileIntervalMinutes],
  });
}

/** A setting read from the environment that is wrong is a mistake in how the command was called. */
function asUsageError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function expectLocalTable(
  dynamo: DynamoDBClient,
  tableName: string,
  endpoint: string,
): Promise<void> {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new CommandFailedError(
        `DynamoDB Local at ${endpoint} has no table ${tableName}: is \`npm start\` running with the same PROJECT_NAME?`,
      );
    }
    throw new CommandFailedError(
      `Cannot reach DynamoDB Local at ${endpoint}: start the local stack first (\`npm start\`), ` +
        `and give this command the same ${STACK_VARIABLES} as \`npm start\` if you changed them.`,
    );
  }
}

async function findLocalTopic(sns: SNSClient, topicName: string, endpoint: string) {
  let nextToken: string | undefined;
  do {
    const page = await sns
      .send(new ListTopicsCommand(nextToken === undefined ? {} : { NextToken: nextToken }))
      .catch(() => {
        throw new CommandFailedError(
          `Cannot reach the SNS emulator at ${endpoint}: is the local stack running (\`npm start\`)?`,
        );
      });
    const found = page.Topics?.find((topic) => topic.TopicArn?.endsWith(`:${topicName}`));
    if (found?.TopicArn) return found.TopicArn;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  throw new CommandFailedError(
    `The SNS emulator at ${endpoint} has no topic ${topicName}: is \`npm start\` running with the same PROJECT_NAME?`,
  );
}

/** Locally the signing secret is `STRIPE_WEBHOOK_SECRET`: read here, never written. */
function localWebhookSecret(config: LocalConfig): WebhookSecretStore {
  const variable = SECRET_ENV_VARS.stripeWebhookSecret;
  const value = config.secrets.stripeWebhookSecret;
  return {
    description: `${variable} (${value === LOCAL_SECRET_DEFAULTS.stripeWebhookSecret ? 'the default' : 'from the environment'})`,
    writable: false,
    read: () => Promise.resolve(parseSecretList(value, variable)),
    write: () =>
      Promise.reject(new Error(`Locally the webhook secret is ${variable}: set it yourself.`)),
  };
}
