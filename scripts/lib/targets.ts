import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  StripeClientProvider,
  type StripeConnection,
} from '../../lambda/adapters/stripe-client-provider';
import { ConfigurationError } from '../../lambda/core/config';
import {
  awsDynamoClient,
  awsSecretsManagerClient,
  awsSnsClient,
} from '../../lambda/core/aws-clients';
import { parseSecretList, parseSecretValue, StaticSecretStore } from '../../lambda/core/secrets';
import type { SecretRef } from '../../lambda/shared/secrets';
import {
  CUSTOMERS_TABLE,
  PARKED_EVENTS_TABLE,
  RECONCILIATION_STATE_TABLE,
  SUBSCRIPTION_ORDER_TABLE,
  EVENT_LEDGER_TABLE,
} from '../../lambda/shared/tables';
import { ENV } from '../../lambda/shared/function-environment';
import type { ReconcileInfrastructure } from '../../lambda/reconcile/composition-root';
import type { ReconcileConfig } from '../../lambda/reconcile/config';
import {
  type ContextSource,
  loadServiceConfig,
  resourceName,
  type ServiceConfig,
  stackName,
} from '../../lib/config';
import { externalResourceNames } from '../../lib/external-resource-names';
import {
  LOCAL_SECRET_DEFAULTS,
  loadLocalConfig,
  type LocalConfig,
  localResourceName,
  PORT_ENV_VARS,
  SECRET_ENV_VARS,
} from '../../local/config';
import { type LocalResourceNames, localResourceNames } from '../../local/local-stack';
import { localDynamoClient, localSnsClient } from '../../local/services/aws-clients';
import {
  CommandFailedError,
  type Output,
  parseContextArgs,
  processOutput,
  UsageError,
} from './cli';
import { DEFAULT_RECONCILE_INTERVAL_MINUTES } from '../../lambda/shared/reconciliation-schedule';

/**
 * Where the webhook's signing secrets live, as the registration command sees it: a secret
 * in Secrets Manager (`--env`), or the local environment variable (which it cannot write).
 */
export interface WebhookSecretStore {
  /** Where it is, for messages: a secret's name (and field), or the variable. */
  readonly description: string;
  /** Can `write` store into it (false locally: the value is an environment variable). */
  readonly writable: boolean;
  /** The signing secrets held now; undefined when there is no usable value. */
  read(): Promise<string[] | undefined>;
  /** Replaces the signing secrets (comma-separated, in the shape the secret already has). */
  write(secrets: readonly string[]): Promise<void>;
}

/** What the commands act on: the local stack, or a deployed environment. */
export interface Target {
  readonly local: boolean;
  /** For the first line of output: what the command acts on. */
  readonly description: string;
  /** The stack's name: the webhook endpoint's metadata marks it as this service's. */
  readonly serviceName: string;
  /** The stripe SDK with the target's key (its budget and pinned API version). */
  readonly stripe: StripeClientProvider;
  /** Where Stripe is: the sandbox's URL locally, Stripe itself otherwise. */
  readonly stripeDescription: string;
  readonly webhookSecret: WebhookSecretStore;
  /** The reconciliation's configuration and clients (checks that the resources exist). */
  reconciliation(): Promise<{ config: ReconcileConfig; infrastructure: ReconcileInfrastructure }>;
  /** Closes the clients' connections. */
  close(): void;
}

export interface TargetOptions {
  /** A deployed environment (`dev`, `staging`, `prod`); the local stack when absent. */
  readonly env?: string;
  /** `--context key=value`: CDK context given on the command line (wins over cdk.json). */
  readonly context?: Readonly<Record<string, string>>;
  readonly processEnv?: NodeJS.ProcessEnv;
  /** Where cdk.json is (the project root). */
  readonly projectRoot?: string;
  /** The AWS clients for `--env` (tests give stand-ins); the SDK's defaults otherwise. */
  readonly awsClients?: AwsClients;
}

export interface AwsClients {
  readonly secretsManager: SecretsManagerClient;
  readonly dynamo: DynamoDBClient;
  readonly sns: SNSClient;
}

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The options of every command that acts on a target, for `parseOptions`. */
export const TARGET_OPTIONS = {
  env: { type: 'string' },
  context: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The target a command's parsed `TARGET_OPTIONS` name. */
export function targetOptions(values: {
  readonly env?: string | undefined;
  readonly context?: string[] | undefined;
}): TargetOptions {
  if (values.env?.trim() === '') throw new UsageError('--env takes an environment name.');
  return {
    ...(values.env !== undefined ? { env: values.env } : {}),
    context: parseContextArgs(values.context),
  };
}

/**
 * A command that acts on a target: it parses its arguments, runs against the target they
 * name, and closes the target's clients however it ends. Returns the exit code.
 */
export const targetCommand =
  <A extends TargetOptions>(
    parse: (argv: readonly string[]) => A,
    run: (args: A, target: Target, output: Output) => Promise<number>,
  ) =>
  async (
    argv: readonly string[],
    output: Output = processOutput,
    processEnv: NodeJS.ProcessEnv = process.env,
  ): Promise<number> => {
    const args = parse(argv);
    const target = resolveTarget({ ...args, processEnv });
    try {
      return await run(args, target, output);
    } finally {
      target.close();
    }
  };

export function resolveTarget(options: TargetOptions): Target {
  const processEnv = options.processEnv ?? process.env;
  return options.env === undefined
    ? localTarget(processEnv, options.context ?? {})
    : deployedTarget(
        loadDeployedConfig(options.env, options.context ?? {}, processEnv, options.projectRoot),
        options.awsClients ?? defaultAwsClients(),
      );
}

const intervalMinutes = (processEnv: NodeJS.ProcessEnv): number => {
  const raw = processEnv[ENV.reconcileIntervalMinutes]?.trim();
  if (!raw) return DEFAULT_RECONCILE_INTERVAL_MINUTES;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new UsageError(
      `${ENV.reconcileIntervalMinutes} must be a positive integer (got "${raw}").`,
    );
  }
  return value;
};

// ---------------------------------------------------------------------------------------
// The local stack (`npm start`): its ports and project name from the same variables.

function localTarget(
  processEnv: NodeJS.ProcessEnv,
  context: Readonly<Record<string, string>>,
): Target {
  if (Object.keys(context).length > 0) {
    throw new UsageError('--context applies to a deployed environment: give --env too.');
  }
  let config: LocalConfig;
  try {
    config = loadLocalConfig(processEnv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const names = localResourceNames(config);
  const endpoints = {
    dynamodb: `http://127.0.0.1:${config.ports.dynamodb}`,
    sns: `http://127.0.0.1:${config.ports.sns}`,
  };
  const stripeConnection: StripeConnection | undefined =
    config.stripe === 'sandbox'
      ? { host: '127.0.0.1', port: config.ports.stripeSandbox, protocol: 'http' }
      : undefined;
  const secrets = new StaticSecretStore({
    [names.secrets.stripeSecretKey]: config.secrets.stripeSecretKey,
  });
  const stripeKey: SecretRef = { name: names.secrets.stripeSecretKey };
  const stripe = new StripeClientProvider(
    async () => parseSecretValue(await secrets.get(stripeKey.name), stripeKey),
    stripeConnection,
  );
  const dynamo = localDynamoClient(endpoints.dynamodb);
  const sns = localSnsClient(endpoints.sns);
  const interval = intervalMinutes(processEnv);
  const variables = Object.values(PORT_ENV_VARS).concat('PROJECT_NAME').join(', ');

  return {
    local: true,
    description: `the local stack (project ${config.projectName})`,
    serviceName: localResourceName(config, 'stripe-service'),
    stripe,
    stripeDescription: stripeConnection
      ? `the Stripe sandbox at http://127.0.0.1:${config.ports.stripeSandbox}`
      : 'Stripe (test mode, STRIPE_SECRET_KEY)',
    webhookSecret: localWebhookSecret(config),
    reconciliation: async () => {
      await expectLocalTable(dynamo, names.reconciliationStateTable, endpoints.dynamodb, variables);
      const topicArn = await findLocalTopic(sns, names.billingEventsTopic, endpoints.sns);
      return {
        config: localReconcileConfig(names, topicArn, stripeKey, interval),
        infrastructure: { dynamo, sns, secrets, ...(stripeConnection ? { stripeConnection } : {}) },
      };
    },
    close: () => {
      dynamo.destroy();
      sns.destroy();
    },
  };
}

/** The reconciliation's configuration for local resources (tests build theirs with it too). */
export function localReconcileConfig(
  names: LocalResourceNames,
  billingEventsTopicArn: string,
  stripeSecretKey: SecretRef = { name: names.secrets.stripeSecretKey },
  reconcileIntervalMinutes = DEFAULT_RECONCILE_INTERVAL_MINUTES,
): ReconcileConfig {
  return {
    customersTable: names.customersTable,
    eventLedgerTable: names.eventLedgerTable,
    parkedEventsTable: names.parkedEventsTable,
    subscriptionOrderTable: names.subscriptionOrderTable,
    billingEventsTopicArn,
    reconciliationStateTable: names.reconciliationStateTable,
    stripeSecretKey,
    secretsCacheMaxAgeSeconds: 300,
    reconcileIntervalMinutes,
  };
}

async function expectLocalTable(
  dynamo: DynamoDBClient,
  tableName: string,
  endpoint: string,
  variables: string,
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
        `and give this command the same ${variables} as \`npm start\` if you changed them.`,
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

// ---------------------------------------------------------------------------------------
// A deployed environment: its resources named as the stack names them (lib/config.ts and
// cdk.json), the AWS SDK's default credentials and region.

/** The AWS SDK's default credentials and region, with the functions' budgets. */
const defaultAwsClients = (): AwsClients => ({
  secretsManager: awsSecretsManagerClient(),
  dynamo: awsDynamoClient(),
  sns: awsSnsClient(),
});

function deployedTarget(config: ServiceConfig, clients: AwsClients): Target {
  const { secretsManager, dynamo, sns } = clients;
  const names = externalResourceNames(config);
  const stripeKeyRef = names.secrets.stripeSecretKey;
  const webhookRef = names.secrets.stripeWebhookSecret;

  // Read once: its ARN names the account, region and partition the stack's resources are in.
  let stripeKey: Promise<{ raw: string; value: string; arn: string }> | undefined;
  const readStripeKey = () =>
    (stripeKey ??= readSecret(secretsManager, stripeKeyRef.name).then(({ value, arn }) => ({
      raw: value,
      value: parseSecretValue(value, stripeKeyRef),
      arn,
    })));
  const stripe = new StripeClientProvider(async () => (await readStripeKey()).value);

  return {
    local: false,
    description: `${config.environmentName} (stack ${stackName(config)})`,
    serviceName: stackName(config),
    stripe,
    stripeDescription: `Stripe (key from ${describeRef(stripeKeyRef)})`,
    webhookSecret: awsWebhookSecret(secretsManager, webhookRef),
    reconciliation: async () => {
      const { raw, arn } = await readStripeKey();
      const topic = names.billingEventsTopic;
      const topicArn = 'arn' in topic ? topic.arn : topicArnBeside(arn, topic.name);
      return {
        config: {
          customersTable: resourceName(config, CUSTOMERS_TABLE.nameSuffix),
          eventLedgerTable: resourceName(config, EVENT_LEDGER_TABLE.nameSuffix),
          parkedEventsTable: resourceName(config, PARKED_EVENTS_TABLE.nameSuffix),
          subscriptionOrderTable: resourceName(config, SUBSCRIPTION_ORDER_TABLE.nameSuffix),
          reconciliationStateTable: resourceName(config, RECONCILIATION_STATE_TABLE.nameSuffix),
          billingEventsTopicArn: topicArn,
          stripeSecretKey: stripeKeyRef,
          secretsCacheMaxAgeSeconds: config.settings.secretsCacheMaxAgeSeconds,
          reconcileIntervalMinutes: config.settings.reconciliation.intervalMinutes,
        },
        infrastructure: {
          dynamo,
          sns,
          // Read once above, for the topic's ARN; the reconciliation reads it from here.
          secrets: new StaticSecretStore({ [stripeKeyRef.name]: raw }),
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

async function readSecret(client: SecretsManagerClient, name: string) {
  const result = await client.send(new GetSecretValueCommand({ SecretId: name }));
  if (result.SecretString === undefined || result.ARN === undefined) {
    throw new CommandFailedError(`Secret ${name} has no string value.`);
  }
  return { value: result.SecretString, arn: result.ARN };
}

/** The topic's ARN in the secret's account, region and partition: where the stack puts it. */
export function topicArnBeside(secretArn: string, topicName: string): string {
  const [, partition, , region, account] = secretArn.split(':');
  if (!partition || !region || !account) {
    throw new CommandFailedError(`Unexpected secret ARN ${secretArn}.`);
  }
  return `arn:${partition}:sns:${region}:${account}:${topicName}`;
}

const describeRef = (ref: SecretRef): string =>
  ref.field === undefined ? `secret ${ref.name}` : `secret ${ref.name}, field "${ref.field}"`;

/**
 * The webhook secret in Secrets Manager: a secret of its own (a string, or `{"key": ...}`,
 * kept in the shape it has), or a field of the combined secret (the other fields untouched).
 */
export function awsWebhookSecret(client: SecretsManagerClient, ref: SecretRef): WebhookSecretStore {
  const current = async (): Promise<string | undefined> => {
    try {
      return (await readSecret(client, ref.name)).value;
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };
  return {
    description: describeRef(ref),
    writable: true,
    read: async () => {
      const raw = await current();
      if (raw === undefined) return undefined;
      try {
        return parseSecretList(raw, ref);
      } catch {
        return undefined;
      }
    },
    write: async (secrets) => {
      const raw = await current();
      if (raw === undefined) {
        throw new CommandFailedError(
          `Secret ${ref.name} does not exist: create it first (operators own the secrets; see the runbook).`,
        );
      }
      const list = secrets.join(',');
      let value: string;
      if (ref.field !== undefined) {
        const parsed = JSON.parse(raw) as Record<string, unknown>;
        value = JSON.stringify({ ...parsed, [ref.field]: list });
      } else if (raw.trim().startsWith('{')) {
        value = JSON.stringify({ ...(JSON.parse(raw) as Record<string, unknown>), key: list });
      } else {
        value = list;
      }
      await client.send(new PutSecretValueCommand({ SecretId: ref.name, SecretString: value }));
    },
  };
}
