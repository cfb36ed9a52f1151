import type { PaymentOutcome } from '../objects/invoices';
import {
  CANCELLATION_REASONS,
  type CancellationReason,
  cancelSubscription,
  expireIncompleteSubscription,
  renewSubscription,
  updateSubscription,
} from '../billing/subscription-lifecycle';
import { completeCheckoutSession } from '../resources/checkout-sessions';
import { bool, int, str } from './control-messages';
import { type ControlResult, handleDeliveryControl } from './delivery-controls';
import { parameterInvalid } from '../http/errors';
import type { RequestContext } from '../http/request-context';

export type { ControlResult } from './delivery-controls';

const OUTCOMES: readonly PaymentOutcome[] = ['succeeded', 'failed', 'requires_action'];

const CONTROL_PATTERNS = [
  'checkout/sessions/:id/complete',
  'subscriptions/:id/renew',
  'subscriptions/:id/cancel',
  'subscriptions/:id/update',
  'subscriptions/:id/expire',
];

/** `POST /_sandbox/subscriptions/sub_1/renew` -> route `POST subscriptions/:id/renew`, id `sub_1`. */
function controlRoute(method: string, path: string): { route: string; id: string } {
  const segments = path.replace(/^\/_sandbox\//, '').split('/');
  for (const pattern of CONTROL_PATTERNS) {
    const parts = pattern.split('/');
    if (parts.length !== segments.length) continue;
    const index = parts.indexOf(':id');
    if (parts.every((part, i) => i === index || part === segments[i])) {
      return { route: `${method} ${pattern}`, id: decodeURIComponent(segments[index] ?? '') };
    }
  }
  return { route: `${method} ${segments.join('/')}`, id: '' };
}

/**
 * Test controls under `/_sandbox/` (never part of Stripe's API): drive flows that a buyer
 * or time would drive at Stripe, inspect deliveries, inject faults, reset. The delivery
 * controls (chaos, clock, sink, deliveries) are in delivery-controls.ts; all of them are
 * documented in the package's README.md.
 */
export async function handleControl(
  context: RequestContext,
  method: string,
  path: string,
  query: URLSearchParams,
  body: Record<string, unknown>,
): Promise<ControlResult | undefined> {
  const { state } = context;
  const { route, id } = controlRoute(method, path);
  const ok = (value: unknown): ControlResult => ({ status: 200, body: value });

  switch (route) {
    case 'POST checkout/sessions/:id/complete': {
      const outcome = (str(body, 'outcome') ?? 'succeeded') as PaymentOutcome;
      if (!OUTCOMES.includes(outcome))
        throw parameterInvalid('outcome', `outcome must be one of ${OUTCOMES.join(', ')}`);
      return ok(completeCheckoutSession(state, id, outcome).session);
    }
    case 'POST subscriptions/:id/renew': {
      const outcome = str(body, 'outcome') ?? 'paid';
      if (outcome !== 'paid' && outcome !== 'failed')
        throw parameterInvalid('outcome', 'outcome must be paid or failed');
      return ok(renewSubscription(state, id, outcome === 'paid'));
    }
    case 'POST subscriptions/:id/cancel': {
      const reason = (str(body, 'reason') ?? 'cancellation_requested') as CancellationReason;
      if (!CANCELLATION_REASONS.includes(reason)) {
        throw parameterInvalid(
          'reason',
          `reason must be one of ${CANCELLATION_REASONS.join(', ')}`,
        );
      }
      return ok(
        cancelSubscription(state, id, {
          atPeriodEnd: bool(body, 'at_period_end') ?? false,
          reason,
          comment: str(body, 'comment') ?? null,
        }),
      );
    }
    case 'POST subscriptions/:id/update': {
      const changes: { quantity?: number; price?: string; cancelAtPeriodEnd?: boolean } = {};
      const quantity = int(body, 'quantity');
      const price = str(body, 'price');
      const cancelAtPeriodEnd = bool(body, 'cancel_at_period_end');
      if (quantity !== undefined) changes.quantity = quantity;
      if (price !== undefined) changes.price = price;
      if (cancelAtPeriodEnd !== undefined) changes.cancelAtPeriodEnd = cancelAtPeriodEnd;
      return ok(updateSubscription(state, id, changes));
    }
    case 'POST subscriptions/:id/expire':
      return ok(expireIncompleteSubscription(state, id));
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
      return handleDeliveryControl(state, route, query, body);
  }
}
