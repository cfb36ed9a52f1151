import type { StripeConnection } from '../../lambda/adapters/stripe-sdk-gateway';
import { DEFAULT_ACCESS_POLICY } from '../../lambda/domain/access';
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '../../lambda/core/auth';
import { type ApiConfig, loadApiConfig } from '../../lambda/api/config';
import { type CatalogSnapshotConfig, loadCatalogSnapshotConfig } from '../../lambda/catalog/config';
import {
  DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS,
  type SecretStore,
  StaticSecretStore,
} from '../../lambda/core/secrets';
import { type EventBridgeConfig, loadEventBridgeConfig } from '../../lambda/eventbridge/config';
import { functionEnvironments } from '../../lambda/shared/function-environment';
import type { SecretId } from '../../lambda/shared/secrets';
import { type WebhookConfig, loadWebhookConfig } from '../../lambda/webhook/config';
import { LOCAL_ENVIRONMENT_NAME, type LocalConfig, localStackName } from '../config';
import { LOCAL_EVENT_BRIDGE } from './event-bridge';
import type { LocalResourceNames } from './resource-names';
import { DEFAULT_RECONCILE_INTERVAL_MINUTES } from '../../lambda/shared/reconciliation-schedule';

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
  /** Stripe's events through the local EventBridge stand-in (`local/stack/event-bridge.ts`). */
  readonly eventBridge: EventBridgeConfig;
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
  const environment = functionEnvironments({
    ...names,
    billingEventsTopicArn: topicArn,
    secrets: {
      stripeSecretKey: { name: names.secrets.stripeSecretKey },
      stripeWebhookSecret: { name: names.secrets.stripeWebhookSecret },
      jwtAccessTokenSecret: { name: names.secrets.jwtAccessTokenSecret },
    },
    allowedRedirectOrigins: config.allowedRedirectOrigins,
    jwtMaxLifetimeSeconds: DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
    pastDueGraceDays: DEFAULT_ACCESS_POLICY.pastDueGraceDays,
    userRateLimit: config.userRateLimit,
    secretsCacheMaxAgeSeconds: DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS,
    reconcileIntervalMinutes: DEFAULT_RECONCILE_INTERVAL_MINUTES,
    // The local handlers count nothing, but the environment is the deployed one's.
    metricsNamespace: localStackName(config),
    environmentName: LOCAL_ENVIRONMENT_NAME,
    eventBridgeSource: LOCAL_EVENT_BRIDGE.source,
  });
  return {
    api: loadApiConfig(environment.api),
    webhook: loadWebhookConfig(environment.webhook),
    catalogSnapshot: loadCatalogSnapshotConfig(environment.catalogSnapshot),
    eventBridge: loadEventBridgeConfig(environment.eventBridge),
    secrets: localSecretStore(config, names),
    stripeConnection,
  };
}

/** The local secrets' values under the names the functions are told (the stack's own names). */
export const localSecretStore = (
  config: Pick<LocalConfig, 'secrets'>,
  names: LocalResourceNames,
): SecretStore =>
  new StaticSecretStore(
    Object.fromEntries(
      (Object.keys(names.secrets) as SecretId[]).map((id) => [
        names.secrets[id],
        config.secrets[id],
      ]),
    ),
  );
