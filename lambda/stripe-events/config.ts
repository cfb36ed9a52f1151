import type { EnvironmentReader } from '../core/config';
import { type AccessPolicy, MAX_PAST_DUE_GRACE_DAYS } from '../domain/access';
import { readSecretsCacheMaxAge } from '../core/secrets';
import { ENV } from '../shared/function-environment';
import type { SecretRef } from '../shared/secrets';

/**
 * What the event pipeline needs, whichever function runs it (the webhook, EventBridge,
 * reconciliation): its tables, the topic, and the Stripe key (read to settle same-second
 * ordering ties, complete entitlement summaries and resolve thin notifications).
 */
export interface EventPipelineConfig {
  readonly customersTable: string;
  readonly eventLedgerTable: string;
  readonly parkedEventsTable: string;
  readonly subscriptionOrderTable: string;
  readonly billingEventsTopicArn: string;
  /** `data.access` under the environment's policy (`PAST_DUE_GRACE_DAYS`). */
  readonly accessPolicy: AccessPolicy;
  readonly stripeSecretKey: SecretRef;
  readonly secretsCacheMaxAgeSeconds: number;
}

/**
 * The pipeline's settings from a function's environment, with the function's `own`:
 * the tables and topic, then the function's own settings, then the Stripe key, so the
 * problems of a misconfigured function are named in that order.
 */
export function readEventPipelineConfig<T extends object>(
  read: EnvironmentReader,
  own: () => T,
): EventPipelineConfig & T {
  const tables = {
    customersTable: read.required(ENV.customersTable),
    eventLedgerTable: read.required(ENV.eventLedgerTable),
    parkedEventsTable: read.required(ENV.parkedEventsTable),
    subscriptionOrderTable: read.required(ENV.subscriptionOrderTable),
    billingEventsTopicArn: read.required(ENV.billingEventsTopicArn),
    accessPolicy: {
      pastDueGraceDays: read.requiredIntegerInRange(
        ENV.pastDueGraceDays,
        0,
        MAX_PAST_DUE_GRACE_DAYS,
      ),
    },
  };
  const settings = own();
  return {
    ...tables,
    ...settings,
    stripeSecretKey: read.secret(ENV.stripeSecretKeyName, ENV.stripeSecretKeyField),
    secretsCacheMaxAgeSeconds: readSecretsCacheMaxAge(read),
  };
}
