/**
 * How often reconciliation runs (contract section 8), defined once for the stack's
 * schedule and alarm, the function's overlap, the local stack and the replay command.
 */

/** Minutes between scheduled runs unless `reconcileIntervalMinutes` says otherwise. */
export const DEFAULT_RECONCILE_INTERVAL_MINUTES = 15;

/**
 * The longest interval: the "has not run for two intervals" alarm looks at one period of
 * two intervals, and CloudWatch evaluates at most one day at a time.
 */
export const MAX_RECONCILE_INTERVAL_MINUTES = 720;
