import type { RequestContext } from '../http/request-context';
import { STRIPE_TEST_MODE_RATE_LIMITS } from '../http/rate-limits';
import { bool, type ControlBody, type ControlResult, int, num, ok, str } from './control-messages';

/**
 * The controls of the API requests: the request log, injected faults, the idempotency
 * keys, and the reset of everything.
 */
export function handleRequestControl(
  context: RequestContext,
  route: string,
  body: ControlBody,
): ControlResult | undefined {
  const { state } = context;
  switch (route) {
    case 'GET requests':
      return ok({ requests: state.requests });
    case 'DELETE requests':
      state.requests.length = 0;
      return ok({ cleared: true });
    case 'POST faults': {
      const status = int(body, 'status');
      const delayMs = int(body, 'delay_ms');
      const pathPrefix = str(body, 'path_prefix');
      context.faults.add({
        remaining: int(body, 'count') ?? 1,
        ...(status !== undefined ? { status } : {}),
        ...(delayMs !== undefined ? { delayMs } : {}),
        ...(pathPrefix !== undefined ? { pathPrefix } : {}),
      });
      return ok({ added: true });
    }
    case 'GET rate-limits':
      return ok({ rate_limits: rateLimitsBody(context) });
    case 'POST rate-limits': {
      // `enabled=false` lifts them; numbers set them; `enabled=true` alone: Stripe's defaults.
      const limits =
        bool(body, 'enabled') === false
          ? undefined
          : {
              global:
                num(body, 'global', { min: 1, max: 10_000 }) ?? STRIPE_TEST_MODE_RATE_LIMITS.global,
              perEndpoint:
                num(body, 'per_endpoint', { min: 1, max: 10_000 }) ??
                STRIPE_TEST_MODE_RATE_LIMITS.perEndpoint,
            };
      context.rateLimits.configure(limits);
      return ok({ rate_limits: rateLimitsBody(context) });
    }
    case 'DELETE faults':
      context.faults.clear();
      return ok({ cleared: true });
    case 'POST idempotency-keys/expire':
      // Stripe forgets a key 24 hours after its first use; tests of late retries need that.
      context.idempotency.reset();
      return ok({ expired: true });
    case 'POST reset':
      state.reset();
      context.faults.clear();
      context.idempotency.reset();
      return ok({ reset: true });
    default:
      return undefined;
  }
}

/** The limits in force, as the control reports them (null: lifted). */
function rateLimitsBody(context: RequestContext): { global: number; per_endpoint: number } | null {
  const limits = context.rateLimits.current;
  return limits === undefined ? null : { global: limits.global, per_endpoint: limits.perEndpoint };
}
