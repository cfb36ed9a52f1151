import { invalidRequest } from '../http/errors';
import { chargeOf, newRefund, recordRefund } from '../objects/charges';
import type { StripeObject } from '../objects/fixtures';
import type { RequestOrigin, SandboxState } from '../state/state';

/**
 * The charges behind paid payment intents, and refunding them. A payment intent that
 * succeeds has a charge (`latest_charge`); the sandbox stores it when the payment
 * succeeds (see `billing/disputes.ts`, which follows `payment_intent.succeeded`), or, for
 * a payment made before charges were kept, when it is first needed.
 */

/** The stored charge of a paid payment intent (made now if it was not kept yet), if any. */
export function chargeOfIntent(
  state: SandboxState,
  intent: StripeObject,
): StripeObject | undefined {
  const id = intent.latest_charge;
  if (typeof id !== 'string' || (intent.amount_received as number) <= 0) return undefined;
  const stored = state.store.get('charge', id);
  if (stored) return stored;
  const pm =
    typeof intent.payment_method === 'string'
      ? state.store.get('payment_method', intent.payment_method)
      : undefined;
  return state.store.put('charge', chargeOf(intent, pm));
}

/** An amount as Stripe's messages show it: `$5.00`, `€12.50`. */
const money = (amount: number, currency: string): string =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
    amount / 100,
  );

/** Stripe's 400s for a refund the charge cannot give: disputed, already refunded, too much. */
function assertRefundable(state: SandboxState, charge: StripeObject, amount: number): void {
  const disputes = state.store
    .list('dispute')
    .filter((d) => d.charge === charge.id && d.is_charge_refundable !== true);
  if (disputes.length > 0) {
    throw invalidRequest(
      `Charge ${String(charge.id)} has been charged back; cannot issue a refund.`,
      'charge_disputed',
    );
  }
  const remaining = (charge.amount as number) - (charge.amount_refunded as number);
  if (remaining <= 0) {
    throw invalidRequest(
      `Charge ${String(charge.id)} has already been refunded.`,
      'charge_already_refunded',
    );
  }
  if (amount > remaining) {
    const currency = charge.currency as string;
    throw invalidRequest(
      `Refund amount (${money(amount, currency)}) is greater than unrefunded amount on charge (${money(remaining, currency)})`,
      null,
      'amount',
    );
  }
}

export interface RefundRequest {
  /** What is left to refund when not given. */
  readonly amount: number | undefined;
  readonly reason: string | null;
  readonly metadata: Record<string, string>;
}

/**
 * Refunds `charge` (all that is left of it, or `amount`): the refund succeeds at once,
 * the charge records it, then `charge.refunded` (the charge) and `refund.created`.
 */
export function refundCharge(
  state: SandboxState,
  charge: StripeObject,
  request: RefundRequest,
  origin: RequestOrigin,
): StripeObject {
  const remaining = (charge.amount as number) - (charge.amount_refunded as number);
  const amount = request.amount ?? remaining;
  assertRefundable(state, charge, amount);
  const refund = newRefund(charge, amount, request);
  state.store.put('refund', refund);
  recordRefund(charge, refund);
  state.emit('charge.refunded', charge, origin);
  state.emit('refund.created', refund, origin);
  return refund;
}
