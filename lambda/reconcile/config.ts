import { type Environment, readEnvironment } from '../core/config';
import { readSecretsCacheMaxAge } from '../core/secrets';
import { ENV } from '../shared/function-environment';
import { readEventPipelineConfig } from '../webhook/config';
import type { EventPipelineConfig } from '../stripe-events/pipeline';
import { DEFAULT_RECONCILE_INTERVAL_MINUTES } from '../shared/reconciliation-schedule';
import type { SecretRef } from '../shared/secrets';

/** The reconciliation function's settings: the event pipeline's, its state, the Stripe key. */
export interface ReconcileConfig extends EventPipelineConfig {
  readonly reconciliationStateTable: string;
  /** The only secret it reads (contract section 8). */
  readonly stripeSecretKey: SecretRef;
  readonly secretsCacheMaxAgeSeconds: number;
  /** Minutes between scheduled runs: each run overlaps the previous by one of them. */
  readonly reconcileIntervalMinutes: number;
}

/** From the environment the stack (or the replay command) sets; every problem named at once. */
export const loadReconcileConfig = (env: Environment): ReconcileConfig =>
  readEnvironment(env, (read) => ({
    ...readEventPipelineConfig(read),
    reconciliationStateTable: read.required(ENV.reconciliationStateTable),
    stripeSecretKey: read.secret(ENV.stripeSecretKeyName, ENV.stripeSecretKeyField),
    secretsCacheMaxAgeSeconds: readSecretsCacheMaxAge(read),
    reconcileIntervalMinutes: read.positiveInteger(
      ENV.reconcileIntervalMinutes,
      DEFAULT_RECONCILE_INTERVAL_MINUTES,
    ),
  }));
