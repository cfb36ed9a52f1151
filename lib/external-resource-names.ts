import { BILLING_EVENTS_TOPIC_SUFFIX } from '../lambda/shared/naming';
import { SECRETS, type SecretId, type SecretRef } from '../lambda/shared/secrets';
import { PRICES_TABLE, PRODUCTS_TABLE } from '../lambda/shared/tables';
import { resourceName, type ServiceConfig } from './config';

/**
 * What other teams and operators own, named as a deployment of this configuration names
 * it: the per-environment override (`external` in cdk.json, `combinedSecretName`), else
 * `<project>-<env>-<suffix>`. One resolution for the stack (`ExternalResources`) and for
 * the commands that reach a deployed environment (`scripts/lib/targets.ts`), so both always
 * point at the same resources.
 */
export interface ExternalResourceNames {
  readonly productsTable: string;
  readonly pricesTable: string;
  /**
   * The billing events topic: its full ARN when configured, else its name in the stack's
   * own account, region and partition (which only a deployment knows).
   */
  readonly billingEventsTopic: { readonly arn: string } | { readonly name: string };
  /** Each secret: its own, or a field of the one combined secret. */
  readonly secrets: Readonly<Record<SecretId, SecretRef>>;
}

export function externalResourceNames(config: ServiceConfig): ExternalResourceNames {
  const overrides = config.settings.external;
  const combined = config.settings.combinedSecret;
  const secret = (id: SecretId, override: string | undefined): SecretRef =>
    combined !== undefined
      ? { name: combined.secretName, field: combined.fields[id] }
      : { name: override ?? resourceName(config, SECRETS[id].nameSuffix) };
  return {
    productsTable: overrides.productsTableName ?? resourceName(config, PRODUCTS_TABLE.nameSuffix),
    pricesTable: overrides.pricesTableName ?? resourceName(config, PRICES_TABLE.nameSuffix),
    billingEventsTopic:
      overrides.billingEventsTopicArn !== undefined
        ? { arn: overrides.billingEventsTopicArn }
        : {
            name:
              overrides.billingEventsTopicName ?? resourceName(config, BILLING_EVENTS_TOPIC_SUFFIX),
          },
    secrets: {
      stripeSecretKey: secret('stripeSecretKey', overrides.stripeSecretKeySecretName),
      stripeWebhookSecret: secret('stripeWebhookSecret', overrides.stripeWebhookSecretName),
      jwtAccessTokenSecret: secret('jwtAccessTokenSecret', overrides.jwtAccessTokenSecretName),
    },
  };
}
