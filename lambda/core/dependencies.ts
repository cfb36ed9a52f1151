import type { MiddlewareStack } from '@smithy/types';
import { ThrottlingOnlyRetryStrategy } from './throttling-only-retry';

/**
 * How long each dependency may take, defined once and used by every client the functions
 * build (and by the local stack, which builds the same clients). The contract (section 3)
 * says a stalled dependency fails the request within 10 seconds, well inside the function
 * timeout and API Gateway's 29 seconds; `worstCaseMs` is what one stalled call can cost,
 * retries and backoff included, and a unit test holds every budget under that bound.
 */
export interface DependencyBudget {
  /** One attempt's limit, connection included. */
  readonly attemptTimeoutMs: number;
  /** Attempts in all (the first one and its retries). */
  readonly maxAttempts: number;
  /** The longest sleep before retry `n` (1-based) that the client's retry strategy can choose. */
  readonly maxRetryDelayMs: (retry: number) => number;
}

/** The SDK's standard retry strategy: full jitter under 20 s, throttling base 500 ms. */
const awsRetryDelay = (retry: number): number => Math.min(20_000, 500 * 2 ** retry);
/** stripe-node: 0.5 s doubling per retry, capped at 5 s, never under 0.5 s. */
const stripeRetryDelay = (retry: number): number => Math.min(5_000, 500 * 2 ** (retry - 1));

export const DEPENDENCY_BUDGETS = {
  /** Single-digit milliseconds when healthy; three attempts ride out a throttle. */
  dynamodb: { attemptTimeoutMs: 1_500, maxAttempts: 3, maxRetryDelayMs: awsRetryDelay },
  sns: { attemptTimeoutMs: 3_000, maxAttempts: 2, maxRetryDelayMs: awsRetryDelay },
  secretsManager: { attemptTimeoutMs: 3_000, maxAttempts: 2, maxRetryDelayMs: awsRetryDelay },
  /**
   * Stripe's p99 is about a second; its SDK retries idempotently, so each retry multiplies
   * the wait: two attempts of 4 s and a 0.5-1 s backoff stay under 10 s.
   */
  stripe: { attemptTimeoutMs: 4_000, maxAttempts: 2, maxRetryDelayMs: stripeRetryDelay },
} as const satisfies Record<string, DependencyBudget>;

export type DependencyName = keyof typeof DEPENDENCY_BUDGETS;

/**
 * Stripe's rate limits answer at once (429), so a rate-limited call is retried by the
 * service itself (stripe-node retries a 429 only when Stripe says `Stripe-Should-Retry`):
 * full-jitter exponential backoff (`baseDelayMs` doubling, at most `maxDelayMs`), and no
 * retry that would start later than `windowMs` after the first attempt. Stripe's buckets
 * refill every second, so a second of retries rides out a burst; the window plus
 * `worstCaseMs(stripe)` (a last attempt that stalls) stays within the contract's 10 s.
 */
export const STRIPE_RATE_LIMIT_RETRIES = {
  baseDelayMs: 200,
  maxDelayMs: 800,
  windowMs: 1_500,
  /** What the caller is told to wait (`Retry-After`, seconds): the buckets' refill period. */
  retryAfterSeconds: 1,
} as const;

/**
 * How long a request waits for the per-user request limiter (one DynamoDB `UpdateItem`,
 * single-digit milliseconds when healthy) before it is served uncounted: the limiter
 * fails open (`lambda/core/request-limit.ts`). Shorter than one DynamoDB attempt, so a
 * stalled table adds at most this to a request whose own calls then fail within their
 * budgets; a unit test holds the sum under the contract's 10 s.
 */
export const USER_RATE_LIMIT_DEADLINE_MS = 1_000;

/**
 * Stripe's rate limits as the scheduled functions meet them (reconciliation and replay):
 * no caller waits on them, and a run that gives up half-way only defers its work, so they
 * back off longer than a request may: full jitter from half a second doubling to 8 s, for
 * up to 30 s of one call, and never past the run's own deadline (the time it keeps to save
 * how far it got). Stripe's buckets refill every second, so this outlasts a burst of the
 * API's own traffic on the same account (a launch) at a cost the run can afford.
 */
export const SCHEDULED_STRIPE_RATE_LIMIT_RETRIES = {
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  windowMs: 30_000,
} as const;

/** What a stalled dependency can cost one call: every attempt timing out, every backoff at its longest. */
export function worstCaseMs(budget: DependencyBudget): number {
  let total = budget.attemptTimeoutMs * budget.maxAttempts;
  for (let retry = 1; retry < budget.maxAttempts; retry++) total += budget.maxRetryDelayMs(retry);
  return total;
}

/** The contract's bound on a stalled dependency (section 3). */
export const STALLED_DEPENDENCY_LIMIT_MS = 10_000;

/** The human name a log line gives each dependency. */
export const DEPENDENCY_LABELS: Readonly<Record<DependencyName, string>> = {
  dynamodb: 'DynamoDB',
  sns: 'SNS',
  secretsManager: 'Secrets Manager',
  stripe: 'Stripe',
};

/**
 * The AWS SDK client settings for a dependency: its attempts, and an HTTP handler that
 * aborts a stalled attempt. `requestTimeout` alone only logs a warning in the pinned
 * @smithy/node-http-handler; `throwOnRequestTimeout` makes it destroy the request and fail.
 */
export function awsClientSettings(dependency: AwsDependency) {
  const budget = DEPENDENCY_BUDGETS[dependency];
  return {
    maxAttempts: budget.maxAttempts,
    // A publish whose outcome is unknown (timed out, 5xx) is never sent again by the SDK:
    // it may have landed. Only a throttled one is (`ThrottlingOnlyRetryStrategy`).
    ...(dependency === 'sns'
      ? {
          retryStrategy: new ThrottlingOnlyRetryStrategy(
            budget.maxAttempts,
            budget.maxRetryDelayMs,
          ),
        }
      : {}),
    // The SDK builds its default Node.js handler from these options.
    requestHandler: {
      connectionTimeout: Math.min(1_000, budget.attemptTimeoutMs),
      requestTimeout: budget.attemptTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

export type AwsDependency = Exclude<DependencyName, 'stripe'>;

/** A dependency's failure, named: the HTTP shell logs which dependency and operation failed. */
export interface DependencyFailure {
  readonly dependency: string;
  readonly operation: string;
}

/**
 * The dependency named on an error or on its causes (libraries such as Powertools
 * parameters wrap the SDK's error as `cause`).
 */
export function dependencyFailureOf(error: unknown, depth = 0): DependencyFailure | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const { dependency, operation, cause } = error as Partial<
    Record<keyof DependencyFailure | 'cause', unknown>
  >;
  return typeof dependency === 'string' && typeof operation === 'string'
    ? { dependency, operation }
    : dependencyFailureOf(cause, depth + 1);
}

/**
 * Tags every error a client's calls throw with the dependency and the operation (the
 * command's name), after the SDK's own retries, so a timeout in the log says what timed
 * out. Returns the client for chaining.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- every client's stack fits
export function namedDependency<C extends { middlewareStack: MiddlewareStack<any, any> }>(
  client: C,
  dependency: AwsDependency,
): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (typeof error === 'object' && error !== null && !('dependency' in error)) {
          Object.assign(error, {
            dependency: DEPENDENCY_LABELS[dependency],
            operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
          });
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'namedDependencyFailures', override: true },
  );
  return client;
}
