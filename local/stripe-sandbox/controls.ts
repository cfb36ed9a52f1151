import type { PaymentOutcome } from './billing-objects';
import {
  CANCELLATION_REASONS,
  type CancellationReason,
  cancelSubscription,
  expireIncompleteSubscription,
  renewSubscription,
  updateSubscription,
} from './billing-api';
import { completeCheckoutSession } from './checkout-api';
import { parameterInvalid } from './errors';
import type { FaultInjector } from './faults';
import type { IdempotencyKeys } from './idempotency';
import type { SandboxState } from './state';

export interface ControlResult {
  readonly status: number;
  readonly body: unknown;
}

interface ControlContext {
  readonly state: SandboxState;
  readonly faults: FaultInjector;
  readonly idempotency: IdempotencyKeys;
}

const OUTCOMES: readonly PaymentOutcome[] = ['succeeded', 'failed', 'requires_action'];

const str = (body: Record<string, unknown>, name: string): string | undefined => {
  const value = body[name];
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
};
const bool = (body: Record<string, unknown>, name: string): boolean | undefined => {
  const value = body[name];
  return value === undefined ? undefined : value === true || value === 'true';
};
const int = (body: Record<string, unknown>, name: string): number | undefined => {
  const value = str(body, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw parameterInvalid(name, `${name} must be an integer`);
  return n;
};

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
 * or time would drive at Stripe, inspect deliveries, inject faults, reset.
 */
export async function handleControl(
  context: ControlContext,
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
      return ok(completeCheckoutSession(state, id, outcome));
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
    case 'GET webhook-endpoints':
      return ok({ urls: state.delivery.endpoints });
    case 'POST webhook-endpoints': {
      const urls = body.urls;
      if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string' && URL.canParse(u))) {
        throw parameterInvalid('urls', 'urls must be a list of URLs');
      }
      state.delivery.configure({ endpoints: urls as string[] });
      return ok({ urls });
    }
    case 'GET deliveries': {
      if (query.get('wait') === 'true') await state.delivery.idle();
      const eventId = query.get('event');
      return ok({
        deliveries: state.delivery.attempts.filter(
          (a) => eventId === null || a.eventId === eventId,
        ),
      });
    }
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
