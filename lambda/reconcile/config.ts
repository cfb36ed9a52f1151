import { type Environment, readEnvironment } from '../core/config';
import { ENV } from '../shared/function-environment';
import { DEFAULT_RECONCILE_INTERVAL_MINUTES } from '../shared/reconciliation-schedule';
import { type EventPipelineConfig, readEventPipelineConfig } from '../stripe-events/config';

/**
 * The reconciliation function's settings: the event pipeline's (the Stripe key is the only
 * secret it reads, contract section 8), its state, its interval.
 */
export interface ReconcileConfig extends EventPipelineConfig {
  readonly reconciliationStateTable: string;
  /** Minutes between scheduled runs: each run overlaps the previous by one of them. */
  readonly reconcileIntervalMinutes: number;
}

/** From the environment the stack (or the replay command) sets; every problem named at once. */
export const loadReconcileConfig = (env: Environment): ReconcileConfig =>
  readEnvironment(env, (read) => ({
    ...readEventPipelineConfig(read, () => ({
      reconciliationStateTable: read.required(ENV.reconciliationStateTable),
    })),
    reconcileIntervalMinutes: read.positiveInteger(
      ENV.reconcileIntervalMinutes,
      DEFAULT_RECONCILE_INTERVAL_MINUTES,
    ),
  }));
