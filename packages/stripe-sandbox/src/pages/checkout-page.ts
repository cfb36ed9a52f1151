import type { ServerResponse } from 'node:http';
import { completeCheckoutSession } from '../billing/checkout-completion';
import { StripeApiError } from '../http/errors';
import { redirect, sendHtml } from '../http/messages';
import type { StripeObject } from '../objects/fixtures';
import type { PaymentOutcome } from '../objects/payment-intents';
import type { SandboxState } from '../state/state';
import { escape, money, page } from './html';

/**
 * The hosted checkout page at a session's `url`: what a buyer sees and clicks at Stripe's
 * checkout. Its buttons pay, decline or ask for 3-D Secure.
 */

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

/** The hosted checkout page at a session's `url`. */
function checkoutPage(state: SandboxState, session: StripeObject, notice?: string): string {
  const details = state.sessions.get(session.id as string);
  const lines = (details?.lineItems ?? [])
    .map((line) => {
      const price = state.store.get('price', line.price);
      const product = price ? state.store.get('product', price.product as string) : undefined;
      const recurring = price?.recurring as { interval: string } | null | undefined;
      return `<div class="row"><span>${escape(product?.name ?? line.price)} × ${line.quantity}</span><span>${money(
        (price?.unit_amount as number) * line.quantity,
        price?.currency,
      )}${recurring ? ` / ${escape(recurring.interval)}` : ''}</span></div>`;
    })
    .join('\n');
  const id = escape(session.id);
  const open = session.status === 'open';
  const actions = open
    ? `<form method="post" action="/checkout/${id}/pay"><button type="submit" id="pay">Pay ${money(session.amount_total, session.currency)}</button></form>
<form method="post" action="/checkout/${id}/decline"><button type="submit" class="secondary" id="decline">Decline (card_declined)</button></form>
<form method="post" action="/checkout/${id}/requires-action"><button type="submit" class="secondary" id="requires-action">Requires action (3-D Secure)</button></form>`
    : `<p>This session is ${escape(session.status)}.</p>`;
  const back = session.cancel_url
    ? `<p><a href="${escape(session.cancel_url)}" id="cancel">← Back to the merchant</a></p>`
    : '';
  return page(
    'Checkout',
    `<h1>Checkout</h1>
${notice ? `<p role="alert" id="notice">${escape(notice)}</p>` : ''}
${lines}
<div class="row"><strong>Total</strong><strong>${money(session.amount_total, session.currency)}</strong></div>
<p>Mode: ${escape(session.mode)}</p>
${actions}
${back}`,
  );
}

/** Where Stripe sends the buyer after paying: `success_url` with the session id filled in. */
function successRedirect(session: StripeObject): string | null {
  const url = session.success_url as string | null;
  return url === null ? null : url.split('{CHECKOUT_SESSION_ID}').join(session.id as string);
}
