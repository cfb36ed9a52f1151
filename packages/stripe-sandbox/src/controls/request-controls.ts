import type { RequestContext } from '../http/request-context';
import { type ControlBody, type ControlResult, int, ok, str } from './control-messages';

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
