import { Construct } from 'constructs';
import { ENV } from '../../lambda/shared/function-environment';
import { CUSTOMERS_BY_STRIPE_ID_INDEX } from '../../lambda/shared/tables';
import type { ServiceConfig } from '../config';
import type { ExternalResources } from './external-resources';
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

const CATALOG_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];

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
    const common = {
      [ENV.environmentName]: config.environmentName,
      [ENV.secretsCacheMaxAgeSeconds]: String(config.settings.secretsCacheMaxAgeSeconds),
    };

    this.api = new ServiceFunction(this, 'Api', {
      config,
      functionName: 'stripe-api',
      entry: FUNCTION_ENTRIES.api,
      description: 'Stripe service API: checkout and portal sessions, prices, session status',
      environment: {
        ...common,
        [ENV.stripeSecretKeyName]: external.secrets.stripeSecretKey.name,
        [ENV.customersTable]: tables.customers.tableName,
        [ENV.catalogSyncTable]: tables.catalogSync.tableName,
        [ENV.productsTable]: external.productsTable.tableName,
        [ENV.pricesTable]: external.pricesTable.tableName,
        [ENV.jwtSecretName]: external.secrets.jwtAccessTokenSecret.name,
        [ENV.allowedRedirectOrigins]: config.settings.allowedRedirectOrigins.join(','),
      },
    });
    this.api.grant(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [tables.customers.tableArn],
    );
    this.api.grant(['dynamodb:GetItem', 'dynamodb:PutItem'], [tables.catalogSync.tableArn]);
    // The catalog belongs to other services: read it, and write back only Stripe ids.
    this.api.grant(
      [...CATALOG_READ_ACTIONS, 'dynamodb:UpdateItem'],
      [external.productsTable.tableArn, external.pricesTable.tableArn],
    );
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
        [ENV.billingEventsTopicArn]: external.billingEventsTopic.topicArn,
        [ENV.stripeWebhookSecretName]: external.secrets.stripeWebhookSecret.name,
      },
    });
    this.webhook.grant(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [tables.webhookIdempotency.tableArn],
    );
    this.webhook.grant(
      ['dynamodb:Query'],
      [`${tables.customers.tableArn}/index/${CUSTOMERS_BY_STRIPE_ID_INDEX.indexName}`],
    );
    this.webhook.grant(['sns:Publish'], [external.billingEventsTopic.topicArn]);
    // Verifying signatures needs the signing secrets only, not the Stripe API key.
    this.webhook.grant(
      ['secretsmanager:GetSecretValue'],
      [external.secrets.stripeWebhookSecret.policyArn],
    );
  }
}
