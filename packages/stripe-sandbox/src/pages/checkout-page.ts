import type { ServerResponse } from 'node:http';
import { cancelSubscription } from '../billing/subscription-lifecycle';
import type { PaymentOutcome } from '../objects/invoices';
import { completeCheckoutSession } from '../resources/checkout-sessions';
import { StripeApiError } from '../http/errors';
import type { StripeObject } from '../objects/fixtures';
import { redirect, sendHtml } from '../http/messages';
import { checkoutPage, portalPage, successRedirect } from './html';
import type { SandboxState } from '../state/state';

/** The hosted pages' buttons: what a buyer does at Stripe's checkout and portal. */

const PAGE_OUTCOMES: Readonly<Partial<Record<string, PaymentOutcome>>> = {
  pay: 'succeeded',
  decline: 'failed',
  'requires-action': 'requires_action',
};

/** The hosted checkout page: GET shows it, POST /pay|/decline|/requires-action completes. */
export function handleCheckoutPage(
  response: ServerResponse,
  state: SandboxState,
  method: string,
  path: string,
): void {
  const [, , id, action] = path.split('/');
  const session = id ? state.store.get('checkout.session', id) : undefined;
  if (!session) {
    sendHtml(response, 404, '<h1>No such checkout session</h1>');
  } else if (method === 'GET' && action === undefined) {
    sendHtml(response, 200, checkoutPage(state, session));
  } else {
    const outcome = action === undefined ? undefined : PAGE_OUTCOMES[action];
    if (method !== 'POST' || !outcome) sendHtml(response, 404, '<h1>Not found</h1>');
    else payOnPage(response, state, session, outcome);
  }
}

function payOnPage(
  response: ServerResponse,
  state: SandboxState,
  session: StripeObject,
  outcome: PaymentOutcome,
): void {
  try {
    completeCheckoutSession(state, session.id as string, outcome);
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    sendHtml(response, 409, checkoutPage(state, session, error.message));
    return;
  }
  const target = outcome === 'succeeded' ? successRedirect(session) : null;
  if (target !== null) {
    redirect(response, target);
    return;
  }
  const notices: Record<PaymentOutcome, string> = {
    succeeded: 'Payment succeeded.',
    failed: 'Your card was declined. Try another card.',
    requires_action: 'Your bank requires authentication (3-D Secure) to complete this payment.',
  };
  sendHtml(
    response,
    outcome === 'succeeded' ? 200 : 402,
    checkoutPage(state, session, notices[outcome]),
  );
}

/** The portal page: GET lists subscriptions, POST .../subscriptions/:id/cancel cancels one. */
export function handlePortalPage(
  response: ServerResponse,
  state: SandboxState,
  method: string,
  path: string,
  body: Record<string, unknown>,
): void {
  const [, , id, section, subscriptionId, action] = path.split('/');
  const portal = id ? state.store.get('billing_portal.session', id) : undefined;
  const sub = subscriptionId ? state.store.get('subscription', subscriptionId) : undefined;
  if (!portal) {
    sendHtml(response, 404, '<h1>No such portal session</h1>');
  } else if (method === 'GET' && section === undefined) {
    sendHtml(response, 200, portalPage(state, portal));
  } else if (
    method === 'POST' &&
    section === 'subscriptions' &&
    action === 'cancel' &&
    sub !== undefined &&
    sub.customer === portal.customer
  ) {
    cancelSubscription(state, sub.id as string, {
      atPeriodEnd: body.when === 'period_end',
      reason: 'cancellation_requested',
    });
    redirect(response, `/portal/${portal.id as string}`);
  } else {
    sendHtml(response, 404, '<h1>Not found</h1>');
  }
}
