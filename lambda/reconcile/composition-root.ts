import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoReconciliationStateStore } from '../adapters/dynamo-reconciliation-state';
import { PowertoolsEventLedger } from '../adapters/event-ledger';
import { StripeSdkEventSource } from '../adapters/stripe-event-source';
import { SCHEDULED_STRIPE_RATE_LIMIT_RETRIES } from '../core/dependencies';
import { createLogger } from '../core/logger';
import { EVENT_LEDGER_KEY_PREFIX } from '../shared/tables';
import {
  buildEventPipeline,
  deployedPipelineInfrastructure,
  type EventPipelineInfrastructure,
} from '../stripe-events/pipeline';
import { loadReconcileConfig, type ReconcileConfig } from './config';
import type { Environment } from '../core/config';
import type { FunctionClients } from '../core/cold-start';
import {
  reconcile,
  type ReconcileDependencies,
  type ReconcileOptions,
  reserveMsOf,
} from './use-cases/reconcile-events';
import { overlapSecondsFor } from './use-cases/reconcile-window';
import type { ReconciliationReport } from './use-cases/reconciliation-report';
import { replayEvent, type ReplayReport } from './use-cases/replay-event';
import {
  checkSubscriptionState,
  type StateCheckResult,
} from './use-cases/check-subscription-state';

/**
 * The clients reconciliation talks through: AWS in Lambda and for `--env`, local ones
 * locally. It reads the Stripe key only.
 */
export type ReconcileInfrastructure = EventPipelineInfrastructure;

/** Reconciliation and replay, wired: what the scheduled function and the replay command call. */
export interface Reconciler {
  /** One reconciliation run (`overlapSeconds` defaults to one interval, at least 10 minutes). */
  reconcile(
    options: Omit<ReconcileOptions, 'overlapSeconds'> & { readonly overlapSeconds?: number },
  ): Promise<ReconciliationReport>;
  /** Retries one event (a parked one is unparked when it succeeds). */
  replayEvent(eventId: string, context: Context): Promise<ReplayReport>;
  /**
   * The state check of one subscription, on demand (`--subscription`): also publishes
   * Stripe's state when the last one published was never recorded.
   */
  checkSubscription(subscriptionId: string): Promise<StateCheckResult>;
}

export function buildReconciler(
  config: ReconcileConfig,
  infrastructure: ReconcileInfrastructure,
): Reconciler {
  // Every Stripe request of a run waits out Stripe's rate limits (the scheduled budget), but
  // never past the time the run keeps to save how far it got: set as each run starts.
  const stripeDeadline = { at: Number.POSITIVE_INFINITY };
  const runUntil = (context: Context, reserveMs: number) => {
    stripeDeadline.at = Date.now() + context.getRemainingTimeInMillis() - reserveMs;
  };
  const pipeline = buildEventPipeline(config, {
    ...infrastructure,
    stripeRateLimitBackoff: infrastructure.stripeRateLimitBackoff ?? {
      ...SCHEDULED_STRIPE_RATE_LIMIT_RETRIES,
      deadline: () => stripeDeadline.at,
    },
  });
  const deps: ReconcileDependencies = {
    source: new StripeSdkEventSource(pipeline.stripe),
    process: pipeline.process,
    resolver: pipeline.thinEvents.resolver,
    admission: pipeline.thinEvents.admission,
    stateCheck: pipeline.stateCheck,
    parked: pipeline.thinEvents.parked,
    state: new DynamoReconciliationStateStore(
      DynamoDBDocumentClient.from(infrastructure.dynamo),
      config.reconciliationStateTable,
    ),
    ledger: new PowertoolsEventLedger(
      infrastructure.dynamo,
      config.eventLedgerTable,
      EVENT_LEDGER_KEY_PREFIX,
    ),
    logger: pipeline.logger,
    ...(pipeline.metrics ? { metrics: pipeline.metrics } : {}),
  };
  const overlapSeconds = overlapSecondsFor(config.reconcileIntervalMinutes);
  return {
    reconcile: (options) => {
      runUntil(options.context, reserveMsOf(options));
      return reconcile(deps, { overlapSeconds, ...options });
    },
    replayEvent: (eventId, context) => {
      runUntil(context, reserveMsOf({ context }));
      return replayEvent(deps, eventId, { context });
    },
    checkSubscription: (subscriptionId) =>
      checkSubscriptionState(pipeline.stateCheck, subscriptionId, { publishUnrecorded: true }),
  };
}

/**
 * What the function may be invoked with: the schedule's event (whose fields are ignored),
 * or, by hand (`aws lambda invoke`), `{"since": "<ISO time>"}`, `{"eventId": "evt_..."}` or
 * `{"subscriptionId": "sub_..."}` (the state check of one subscription).
 */
export interface ReconcileInvocation {
  readonly since?: unknown;
  readonly eventId?: unknown;
  readonly subscriptionId?: unknown;
}

export type ReconcileHandler = (
  event: ReconcileInvocation | null | undefined,
  context: Context,
) => Promise<ReconciliationReport | ReplayReport | StateCheckResult>;

/** A run that failed: the function fails too (Lambda's Errors metric, and the log). */
export class ReconciliationFailedError extends Error {
  override readonly name = 'ReconciliationFailedError';
}

/**
 * The scheduled function: one reconciliation run per invocation, with the invocation's own
 * context (the ledger's in-progress records expire with it; the run stops in time and
 * saves how far it got). A failed run throws after its metrics are counted.
 */
export function buildReconcileHandler(
  config: ReconcileConfig,
  infrastructure: ReconcileInfrastructure,
): ReconcileHandler {
  const logger = infrastructure.logger ?? createLogger();
  const reconciler = buildReconciler(config, { ...infrastructure, logger });
  return async (event, context) => {
    logger.addContext(context);
    const eventId = event?.eventId;
    if (typeof eventId === 'string' && eventId !== '') {
      return reconciler.replayEvent(eventId, context);
    }
    const subscriptionId = event?.subscriptionId;
    if (typeof subscriptionId === 'string' && subscriptionId !== '') {
      return reconciler.checkSubscription(subscriptionId);
    }
    const since = parseSince(event?.since);
    const report = await reconciler.reconcile({ context, ...(since ? { since } : {}) });
    if (!report.succeeded) {
      throw new ReconciliationFailedError(
        `Reconciliation failed (${report.counts.failed} events failed${report.error !== undefined ? `; ${report.error}` : ''}); the cursor was left where it was.`,
      );
    }
    return report;
  };
}

function parseSince(value: unknown): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const since = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(since.getTime())) {
    throw new Error(`"since" must be an ISO 8601 time (got ${JSON.stringify(value)}).`);
  }
  return since;
}

/**
 * The deployed function, as its index builds it at cold start: the configuration from
 * the environment the stack sets (a misconfigured function fails here, naming every
 * missing setting), then the composition root with the given AWS clients.
 */
export function reconcileFunction(env: Environment, aws: FunctionClients): ReconcileHandler {
  const config = loadReconcileConfig(env);
  const infrastructure = deployedPipelineInfrastructure(env, config, aws);
  return infrastructure.metrics.instrument(buildReconcileHandler(config, infrastructure));
}
