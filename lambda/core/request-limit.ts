import { METRICS, type ServiceMetrics } from '../domain/metrics';
import type { Admission, UserRequestLimiter } from '../domain/request-limit';
import { dependencyFailureOf, USER_RATE_LIMIT_DEADLINE_MS } from './dependencies';
import { userRateLimited } from './errors';
import type { Logger } from './logger';

/** The per-user request limit the HTTP shell applies to every authenticated route. */
export interface RequestLimitGate {
  readonly limiter: UserRequestLimiter;
  /** How long to wait for the limiter; `USER_RATE_LIMIT_DEADLINE_MS` by default. */
  readonly deadlineMs?: number;
}

/** The error a limiter that did not answer in time is abandoned with. */
export class LimiterDeadlineError extends Error {
  override readonly name = 'TimeoutError';

  constructor(deadlineMs: number) {
    super(`The request limiter did not answer within ${String(deadlineMs)} ms.`);
  }
}

/**
 * Counts an authenticated request against its user's limit, after the token is verified
 * and before the route runs. Over the limit: a 429 `rate_limited` with `Retry-After`
 * (`UserRateLimited` counted), and the route never runs, so nothing is written.
 *
 * When the limiter fails or stalls, the request is served uncounted (`UserRateLimiterFailures`
 * counted, a warning logged, and the `api-rate-limiter-failing` alarm fires). Failing open
 * is deliberate: the limit protects capacity and Stripe's rate limits from one noisy caller,
 * it is not what makes a request safe (the token is). Failing closed would turn a DynamoDB
 * incident on a counter table into every customer's checkout refused, a far larger outage
 * than the one caller it exists to slow down; API Gateway's throttles still bound the
 * total meanwhile.
 */
export async function admitRequest(
  userId: string,
  gate: RequestLimitGate,
  observers: { readonly logger: Logger; readonly metrics: ServiceMetrics },
): Promise<void> {
  let admission: Admission;
  try {
    admission = await withDeadline(
      (signal) => gate.limiter.admit(userId, signal),
      gate.deadlineMs ?? USER_RATE_LIMIT_DEADLINE_MS,
    );
  } catch (error) {
    observers.metrics.count(METRICS.userRateLimiterFailures);
    observers.logger.warn('Request limit not checked: serving the request uncounted', {
      ...dependencyFailureOf(error),
      error: error as Error,
    });
    return;
  }
  if (!admission.admitted) {
    observers.metrics.count(METRICS.userRateLimited);
    throw userRateLimited(admission.retryAfterSeconds);
  }
}

/**
 * The call's answer, or a `LimiterDeadlineError` once `deadlineMs` has passed; the call's
 * signal is aborted then, so an adapter can cancel what it started.
 */
async function withDeadline<T>(
  call: (signal: AbortSignal) => Promise<T>,
  deadlineMs: number,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new LimiterDeadlineError(deadlineMs);
      controller.abort(error);
      reject(error);
    }, deadlineMs);
  });
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
