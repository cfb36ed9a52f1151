import { completeCheckoutSession } from '../billing/checkout-completion';
import { resolvePaymentMethod } from '../billing/payment-methods';
import { cardError, parameterInvalid, resourceMissing } from '../http/errors';
import { Params } from '../http/params';
import { type ApiHandler, pathParam } from './api-context';
import { checkoutSessions } from './checkout-sessions';
import { respond } from './shared';

/**
 * `/v1/payment_pages/:id`: what Stripe's own checkout page calls to show and pay a
 * session, and what the Stripe CLI's `checkout.session.completed` fixture calls to pay
 * one with a card. Not part of Stripe's documented API: the sandbox answers with the
 * Checkout Session, and confirming pays it exactly as the hosted page's Pay button does,
 * with the card given.
 */

export const retrievePaymentPage = checkoutSessions.retrieve;

export const confirmPaymentPage: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    'payment_method',
    'expected_amount',
    'expected_payment_method_type',
  ]);
  const id = pathParam(context, 'id');
  const session = context.state.store.get('checkout.session', id);
  if (!session) throw resourceMissing('checkout.session', id);
  const expected = params.integer('expected_amount');
  if (expected !== undefined && expected !== session.amount_total) {
    throw parameterInvalid(
      'expected_amount',
      `The expected amount (${expected}) is not the session's total (${String(session.amount_total)}).`,
    );
  }
  const pm = resolvePaymentMethod(
    context.state,
    params.requiredString('payment_method'),
    'payment_method',
  );
  const { result } = completeCheckoutSession(context.state, id, pm, context.origin);
  if (result.outcome === 'failed') throw cardError(result.decline);
  return respond(context, session, params);
};
