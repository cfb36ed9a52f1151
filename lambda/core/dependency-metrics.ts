import { METRICS, type ServiceMetrics } from '../domain/metrics';
import { DEPENDENCY_LABELS, dependencyFailureOf } from './dependencies';
import { HttpError, STRIPE_RATE_LIMITED_CODE } from './errors';

/** What a failed request's error says of the dependency behind it. */
export type DependencyFailureKind =
  | {
      readonly dependency: 'stripe' | 'aws';
      readonly timedOut: boolean;
      /** Stripe refused it for its rate limits, after the service's retries (a 503). */
      readonly rateLimited?: true;
    }
  | undefined;

/** stripe-node's error type for a request that got no answer: a timeout or no connection. */
const STRIPE_NO_ANSWER = 'StripeConnectionError';
/** The AWS SDK's (smithy's) error name for an attempt that ran out of time. */
const AWS_TIMEOUT = 'TimeoutError';

/**
 * Classifies a request's failure by the dependency behind it: Stripe's failures are the
 * 502 HttpErrors of `stripeFailure` (or an error tagged `dependency: 'Stripe'`), AWS's are
 * the errors `namedDependency` tagged; anything else (a bug, a caller's mistake) is none.
 */
export function dependencyFailureKind(error: unknown): DependencyFailureKind {
  if (error instanceof HttpError) {
    if (error.logFields.dependency !== DEPENDENCY_LABELS.stripe) return undefined;
    if (error.code === STRIPE_RATE_LIMITED_CODE) {
      return { dependency: 'stripe', timedOut: false, rateLimited: true };
    }
    return { dependency: 'stripe', timedOut: error.logFields.stripeErrorType === STRIPE_NO_ANSWER };
  }
  const failure = dependencyFailureOf(error);
  if (failure === undefined) return undefined;
  if (failure.dependency === DEPENDENCY_LABELS.stripe) {
    return { dependency: 'stripe', timedOut: inChain(error, isStripeNoAnswer) };
  }
  return { dependency: 'aws', timedOut: inChain(error, (e) => e.name === AWS_TIMEOUT) };
}

/**
 * Counts a failed call by its dependency: `StripeCallFailures` / `AwsCallFailures`, and,
 * when the call got no answer in time, `StripeTimeouts` / `AwsTimeouts` too (a timeout is
 * a failure; the second count says how many of them were timeouts). A call Stripe kept
 * refusing for its rate limits is `StripeRateLimited` alone: Stripe did not fail, the
 * platform asked for more than its limit (a capacity signal with its own alarm).
 */
export function countDependencyFailure(metrics: ServiceMetrics, error: unknown): void {
  const kind = dependencyFailureKind(error);
  if (kind === undefined) return;
  if (kind.rateLimited) {
    metrics.count(METRICS.stripeRateLimited);
    return;
  }
  if (kind.dependency === 'stripe') {
    metrics.count(METRICS.stripeCallFailures);
    if (kind.timedOut) metrics.count(METRICS.stripeTimeouts);
  } else {
    metrics.count(METRICS.awsCallFailures);
    if (kind.timedOut) metrics.count(METRICS.awsTimeouts);
  }
}

interface ErrorLike {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

/** stripe-node's error type for a 429. */
const STRIPE_RATE_LIMIT_ERROR = 'StripeRateLimitError';

/**
 * Whether Stripe refused the call (or one behind it) for its rate limits, after whatever
 * backing off the caller did: the API's 503, a Stripe failure whose log fields carry the
 * SDK's 429 `rate_limit`, or the SDK's error itself, however an adapter wrapped it (as
 * `cause`). Recognised by fields, not class: the SDK may be another copy of the module (see
 * `isStripeError`). A 429 `lock_timeout` is not one (the SDK retries those itself).
 */
export function isStripeRateLimited(error: unknown): boolean {
  return inChain(error, (candidate) => {
    if (candidate instanceof HttpError) {
      const { stripeErrorType, stripeCode } = candidate.logFields;
      return (
        candidate.code === STRIPE_RATE_LIMITED_CODE ||
        (stripeErrorType === STRIPE_RATE_LIMIT_ERROR && isRateLimitCode(stripeCode))
      );
    }
    return candidate.type === STRIPE_RATE_LIMIT_ERROR && isRateLimitCode(candidate.code);
  });
}

const isRateLimitCode = (code: unknown): boolean => code === undefined || code === 'rate_limit';

const isStripeNoAnswer = (error: ErrorLike): boolean =>
  error.type === STRIPE_NO_ANSWER || error.name === STRIPE_NO_ANSWER || error.name === AWS_TIMEOUT;

/** Whether the error or one of its causes (libraries wrap the SDK's error) matches. */
function inChain(error: unknown, matches: (error: ErrorLike) => boolean, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const candidate = error as ErrorLike;
  return matches(candidate) || inChain(candidate.cause, matches, depth + 1);
}
