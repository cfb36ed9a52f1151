import { api } from './api.js';
import { $, element, showOutcome } from './page.js';
import { PATHS } from './paths.js';

/**
 * What was bought, remembered across Checkout's redirect (in this tab's session storage):
 * the success page names it.
 */
const purchaseKey = (sessionId) => 'demoPurchase:' + sessionId;

export function rememberPurchase(sessionId, purchase) {
  sessionStorage.setItem(purchaseKey(sessionId), JSON.stringify(purchase));
}

/** What the buyer is told on the success page, from the session's state (not the webhook). */
function sessionOutcome(state, purchase) {
  const what = purchase ? purchase.name + ' (' + purchase.label + ')' : 'your purchase';
  if (state.status === 'complete' && state.paymentStatus !== 'unpaid') {
    return state.mode === 'subscription'
      ? ['success', 'You are subscribed', 'Thank you! Your subscription to ' + what + ' is active.']
      : ['success', 'Payment received', 'Thank you! You bought ' + what + '.'];
  }
  if (state.status === 'complete') {
    return [
      'warning',
      'Payment processing',
      'Your order of ' + what + ' is placed; the payment is still being confirmed.',
    ];
  }
  if (state.status === 'expired') {
    return [
      'failure',
      'Checkout expired',
      'This checkout expired before it was paid: nothing was charged.',
    ];
  }
  return [
    'warning',
    'Payment not finished',
    'This checkout was not paid yet: nothing was charged. Go back to the prices to try again.',
  ];
}

const SESSION_FIELDS = [
  'checkoutSessionId',
  'status',
  'paymentStatus',
  'mode',
  'subscriptionId',
  'paymentIntentId',
];

/** The success page: what became of the checkout session, read from Stripe by the API. */
export async function showResult(sessionId) {
  $('result').hidden = false;
  let state;
  try {
    state = await api('GET', PATHS.session.replace('{id}', encodeURIComponent(sessionId)));
  } catch (error) {
    if (error.code === 'checkout_session_not_found') {
      showOutcome(
        'failure',
        'Checkout not found',
        'This buyer has no such checkout session (was it started as another buyer?).',
      );
      return;
    }
    throw error;
  }
  const purchase = JSON.parse(sessionStorage.getItem(purchaseKey(sessionId)) || 'null');
  showOutcome(...sessionOutcome(state, purchase));
  const list = $('session');
  list.replaceChildren();
  for (const field of SESSION_FIELDS) {
    const value = state[field];
    const dd = element('dd', {
      textContent: value === undefined || value === null ? '—' : String(value),
    });
    dd.dataset.field = field;
    list.append(element('dt', { textContent: field }), dd);
  }
}
