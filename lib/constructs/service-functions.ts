import { Construct } from 'constructs';
import { ENV, type EnvVarName } from '../../lambda/shared/function-environment';
import {
  CUSTOMERS_BY_STRIPE_ID_INDEX,
  PRICES_TABLE,
  PRODUCTS_TABLE,
} from '../../lambda/shared/tables';
import type { ServiceConfig } from '../config';
import type { ExternalResources, ExternalSecret } from './external-resources';
import { ServiceFunction } from './service-function';
import type { ServiceTables } from './service-tables';

export interface ServiceFunctionsProps {
  readonly config: ServiceConfig;
  readonly tables: ServiceTables;
  readonly external: ExternalResources;
}

/** Each function's entry point, bundled by the stack (and by the cold-start benchmark). */
export const FUNCTION_ENTRIES = {
  api: 'lambda/api/index.ts',
  webhook: 'lambda/webhook/index.ts',
} as const;

/**
 * What the api function does to the catalog tables, which belong to the product and
 * pricing services: exactly the calls of `lambda/adapters/dynamo-catalog-repository.ts`
 * (`test/unit/lib/catalog-access.test.ts` runs the adapter and checks it against this).
 *
 * - products: GetItem (checkout), BatchGetItem (the listing's product names);
 * - prices: GetItem (checkout), Scan (the listing: the pricing service gives no index);
 * - both: UpdateItem writing back the Stripe id only. The contract lets this service
 *   write nothing else there, so the write is limited by IAM, not only by our code.
 */
export const CATALOG_ACCESS = {
  products: {
    definition: PRODUCTS_TABLE,
    reads: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
    stripeIdAttribute: PRODUCTS_TABLE.stripeIdAttribute,
  },
  prices: {
    definition: PRICES_TABLE,
    reads: ['dynamodb:GetItem', 'dynamodb:Scan'],
    stripeIdAttribute: PRICES_TABLE.stripeIdAttribute,
  },
} as const;

/**
 * The conditions on the catalog write-back. `dynamodb:Attributes` is every top-level
 * attribute the request names (the key, the update expression and the condition
 * expression alike), so it is the key plus the Stripe id: the adapter's conditions use
 * nothing else. `ForAllValues` alone would also allow a request naming no attribute, but
 * an UpdateItem always names its key. `dynamodb:ReturnValues` is always present on
 * UpdateItem (`NONE` when not sent, as the adapter does): `NONE` keeps the write from
 * reading back attributes it may not write.
 */
export const catalogWriteBackConditions = (
  table: keyof typeof CATALOG_ACCESS,
): Record<string, unknown> => {
  const { definition, stripeIdAttribute } = CATALOG_ACCESS[table];
  return {
    'ForAllValues:StringEquals': {
      'dynamodb:Attributes': [definition.partitionKey.name, stripeIdAttribute],
    },
    StringEquals: { 'dynamodb:ReturnValues': 'NONE' },
  };
};

/** A secret's name for the function, and the field of it when it is a combined secret. */
const secretEnvironment = (
  secret: ExternalSecret,
  nameVariable: EnvVarName,
  fieldVariable: EnvVarName,
): Record<string, string> => ({
  [nameVariable]: secret.name,
  ...(secret.field === undefined ? {} : { [fieldVariable]: secret.field }),
});

/**
 * The two functions: `api` serves the frontend's routes, `webhook` receives Stripe's
 * events. Each is granted exactly what it uses, and nothing with a wildcard action.
 */
export class ServiceFunctions extends Construct {
  readonly api: ServiceFunction;
  readonly webhook: ServiceFunction;

  constructor(scope: Construct, id: string, props: ServiceFunctionsProps) {
    super(scope, id);
    const { config, tables, external } = props;
    const { settings } = config;
    const common = {
      [ENV.environmentName]: config.environmentName,
      [ENV.secretsCacheMaxAgeSeconds]: String(settings.secretsCacheMaxAgeSeconds),
    };

    this.api = new ServiceFunction(this, 'Api', {
      config,
      functionName: 'stripe-api',
      entry: FUNCTION_ENTRIES.api,
      description: 'Stripe service API: checkout and portal sessions, prices, session status',
      environment: {
        ...common,
        ...secretEnvironment(
          external.secrets.stripeSecretKey,
          ENV.stripeSecretKeyName,
          ENV.stripeSecretKeyField,
        ),
        [ENV.customersTable]: tables.customers.tableName,
        [ENV.catalogSyncTable]: tables.catalogSync.tableName,
        [ENV.productsTable]: external.productsTable.tableName,
        [ENV.pricesTable]: external.pricesTable.tableName,
        ...secretEnvironment(
          external.secrets.jwtAccessTokenSecret,
          ENV.jwtSecretName,
          ENV.jwtSecretField,
        ),
        ...(settings.jwtIssuer === undefined ? {} : { [ENV.jwtIssuer]: settings.jwtIssuer }),
        ...(settings.jwtAudience === undefined ? {} : { [ENV.jwtAudience]: settings.jwtAudience }),
        [ENV.allowedRedirectOrigins]: settings.allowedRedirectOrigins.join(','),
      },
    });
    this.api.grant(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [tables.customers.tableArn],
    );
    this.api.grant(['dynamodb:GetItem', 'dynamodb:PutItem'], [tables.catalogSync.tableArn]);
    const catalogTables = { products: external.productsTable, prices: external.pricesTable };
    for (const table of ['products', 'prices'] as const) {
      const { tableArn } = catalogTables[table];
      this.api.grant([...CATALOG_ACCESS[table].reads], [tableArn]);
      this.api.grant(['dynamodb:UpdateItem'], [tableArn], catalogWriteBackConditions(table));
    }
    // With a combined secret both ARNs are that one secret (granted once), and it holds
    // the webhook signing secret too: IAM cannot grant one field of a secret, so a
    // combined secret trades this isolation for the one-secret layout.
    this.api.grant(
      ['secretsmanager:GetSecretValue'],
      [external.secrets.stripeSecretKey.policyArn, external.secrets.jwtAccessTokenSecret.policyArn],
    );

    this.webhook = new ServiceFunction(this, 'Webhook', {
      config,
      functionName: 'stripe-webhook',
      entry: FUNCTION_ENTRIES.webhook,
      description: 'Stripe webhook receiver: verifies, de-duplicates and publishes billing events',
      environment: {
        ...common,
        [ENV.customersTable]: tables.customers.tableName,
        [ENV.idempotencyTable]: tables.webhookIdempotency.tableName,
        [ENV.parkedEventsTable]: tables.parkedEvents.tableName,
        [ENV.billingEventsTopicArn]: external.billingEventsTopic.topicArn,
        ...secretEnvironment(
          external.secrets.stripeWebhookSecret,
          ENV.stripeWebhookSecretName,
          ENV.stripeWebhookSecretField,
        ),
      },
      ...(settings.webhookReservedConcurrency === false
        ? {}
        : { reservedConcurrency: settings.webhookReservedConcurrency }),
    });
    this.webhook.grant(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [tables.webhookIdempotency.tableArn],
    );
    // Parking writes an event, a replay reads, updates (attempts) and finally removes it.
    this.webhook.grant(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [tables.parkedEvents.tableArn],
    );
    this.webhook.grant(
      ['dynamodb:Query'],
      [`${tables.customers.tableArn}/index/${CUSTOMERS_BY_STRIPE_ID_INDEX.indexName}`],
    );
    this.webhook.grant(['sns:Publish'], [external.billingEventsTopic.topicArn]);
    // Verifying signatures needs the signing secrets only, not the Stripe API key (unless
    // they share a combined secret: see the api function's grant).
    this.webhook.grant(
      ['secretsmanager:GetSecretValue'],
      [external.secrets.stripeWebhookSecret.policyArn],
    );
  }
}
