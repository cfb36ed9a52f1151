import { cardError, invalidRequest, resourceMissing } from '../http/errors';
import { billingDetails } from '../http/object-params';
import { fromFixture, type StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { cardFingerprint, type TestCard, testCardOfPaymentMethod } from '../objects/test-cards';
import { nowSeconds } from '../objects/clock';
import type { RequestOrigin, SandboxState } from '../state/state';

/**
 * Card payment methods, from Stripe's test cards: `pm_card_visa` and the other test ids
 * (each use makes a new `pm_...`, as at Stripe), `card[token]=tok_visa`, or a test card
 * number. The card decides what a charge on it does (`objects/test-cards.ts`).
 */

export interface NewCard {
  readonly card: TestCard;
  readonly expMonth?: number;
  readonly expYear?: number;
  readonly billingDetails?: StripeObject;
  readonly metadata?: Record<string, string>;
  readonly allowRedisplay?: string;
}

/** The `card` of a card payment method, as Stripe shows a test card. */
function cardDetails(input: NewCard): StripeObject {
  const now = new Date(nowSeconds() * 1000);
  const { card } = input;
  return {
    brand: card.brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: null },
    country: card.country,
    display_brand: card.brand,
    // Stripe's test cards expire a year from now unless told otherwise.
    exp_month: input.expMonth ?? now.getUTCMonth() + 1,
    exp_year: input.expYear ?? now.getUTCFullYear() + 1,
    fingerprint: cardFingerprint(card.number),
    funding: card.funding,
    generated_from: null,
    last4: card.number.slice(-4),
    networks: { available: [card.brand], preferred: null },
    regulated_status: 'unregulated',
    three_d_secure_usage: { supported: true },
    wallet: null,
  };
}

/** A stored card payment method (not attached to a customer). */
export function addCardPaymentMethod(state: SandboxState, input: NewCard): StripeObject {
  const pm = fromFixture('payment_method', {
    id: stripeId('pm'),
    object: 'payment_method',
    allow_redisplay: input.allowRedisplay ?? 'unspecified',
    billing_details: input.billingDetails ?? billingDetails(undefined),
    card: cardDetails(input),
    created: nowSeconds(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: input.metadata ?? {},
    type: 'card',
  });
  state.store.put('payment_method', pm);
  state.cards.set(pm.id as string, input.card);
  return pm;
}

/**
 * The payment method a parameter names: a stored `pm_...`, or a test id (`pm_card_visa`),
 * which becomes a new payment method each time it is used, as at Stripe.
 */
export function resolvePaymentMethod(state: SandboxState, id: string, param: string): StripeObject {
  const card = testCardOfPaymentMethod(id);
  if (card) return addCardPaymentMethod(state, { card });
  const pm = state.store.get('payment_method', id);
  if (!pm) throw resourceMissing('payment_method', id, param);
  return pm;
}

/** The test card behind a payment method. */
export function cardOf(state: SandboxState, pm: StripeObject): TestCard {
  const card = state.cards.get(pm.id as string);
  if (!card) throw new Error(`No card behind ${String(pm.id)}`);
  return card;
}

/**
 * Attaches a payment method to a customer (`payment_method.attached`). A card that is
 * always declined is declined on attach too (Stripe checks it), except
 * `chargeCustomerFail`, which attaches and fails when charged.
 */
export function attachPaymentMethod(
  state: SandboxState,
  pm: StripeObject,
  customer: StripeObject,
  origin: RequestOrigin,
): StripeObject {
  if (pm.customer === customer.id) return pm;
  assertAttachable(state, pm);
  pm.customer = customer.id;
  state.emit('payment_method.attached', pm, origin);
  return pm;
}

/** Throws what attaching `pm` to a customer would: already attached, or declined. */
export function assertAttachable(state: SandboxState, pm: StripeObject): void {
  if (pm.customer !== null) {
    throw invalidRequest(
      'The payment method you provided has already been attached to a customer.',
      'payment_method_unexpected_state',
    );
  }
  const behaviour = cardOf(state, pm).behaviour;
  if (behaviour.kind === 'declines' && !behaviour.attachable) throw cardError(behaviour.decline);
}

/** A payment method that must belong to `customer` (`default_payment_method` and the like). */
export function customerPaymentMethod(
  state: SandboxState,
  customerId: string,
  id: string,
  param: string,
): StripeObject {
  const pm = state.store.get('payment_method', id);
  if (!pm) throw resourceMissing('payment_method', id, param);
  if (pm.customer !== customerId) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
      'resource_missing',
      param,
    );
  }
  return pm;
}
