import type { StripeConnection } from '../../lambda/adapters/stripe-sdk-gateway';
import { type ApiConfig, loadApiConfig } from '../../lambda/api/config';
import { type CatalogSnapshotConfig, loadCatalogSnapshotConfig } from '../../lambda/catalog/config';
import { type SecretStore, StaticSecretStore } from '../../lambda/core/secrets';
import { ENV } from '../../lambda/shared/function-environment';
import type { SecretId } from '../../lambda/shared/secrets';
import { type WebhookConfig, loadWebhookConfig } from '../../lambda/webhook/config';
import type { LocalConfig } from '../config';
import type { LocalResourceNames } from './resource-names';

/**
 * What the local handlers are built from: each function's configuration (read from the
 * same environment the stack gives the deployed functions, validated the same way), the
 * local secrets, and where Stripe is. Tests and benchmarks build variants of the handlers
 * from it with other clients.
 */
export interface LocalFunctionSettings {
  readonly api: ApiConfig;
  readonly webhook: WebhookConfig;
  readonly catalogSnapshot: CatalogSnapshotConfig;
  readonly secrets: SecretStore;
  /** The sandbox, or Stripe itself (undefined) with a real test-mode key. */
  readonly stripeConnection: StripeConnection | undefined;
}

/** The functions' settings, once the API's port (an allowed redirect origin) is known. */
export function localFunctionSettings(
  config: LocalConfig,
  names: LocalResourceNames,
  topicArn: string,
  stripeConnection: StripeConnection | undefined,
): LocalFunctionSettings {
  const environment = {
    [ENV.customersTable]: names.customersTable,
    [ENV.idempotencyTable]: names.idempotencyTable,
    [ENV.catalogSyncTable]: names.catalogSyncTable,
    [ENV.parkedEventsTable]: names.parkedEventsTable,
    [ENV.subscriptionOrderTable]: names.subscriptionOrderTable,
    [ENV.reconciliationStateTable]: names.reconciliationStateTable,
    [ENV.catalogSnapshotTable]: names.catalogSnapshotTable,
    [ENV.productsTable]: names.productsTable,
    [ENV.pricesTable]: names.pricesTable,
    [ENV.billingEventsTopicArn]: topicArn,
    [ENV.stripeSecretKeyName]: names.secrets.stripeSecretKey,
    [ENV.stripeWebhookSecretName]: names.secrets.stripeWebhookSecret,
    [ENV.jwtSecretName]: names.secrets.jwtAccessTokenSecret,
    [ENV.allowedRedirectOrigins]: config.allowedRedirectOrigins.join(','),
  };
  return {
    api: loadApiConfig(environment),
    webhook: loadWebhookConfig(environment),
    catalogSnapshot: loadCatalogSnapshotConfig(environment),
    secrets: new StaticSecretStore(
      Object.fromEntries(
        (Object.keys(names.secrets) as SecretId[]).map((id) => [
          names.secrets[id],
          config.secrets[id],
        ]),
      ),
    ),
    stripeConnection,
  };
}
