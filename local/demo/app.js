/**
 * The local demo storefront over the real API: lists the prices, gets a local token for a
 * demo buyer by itself, checks out through the sandbox's hosted page, shows the outcome
 * and the session's state on the way back, and the billing events a subscriber received
 * for the buyer, live. Data is rendered with `textContent` only, so nothing from the API
 * is ever parsed as HTML.
 */
import { buyer, listenToNewBuyer } from './buyer.js';
import { listenToBillingPortal } from './billing-portal.js';
import { watchBillingEvents } from './billing-events.js';
import { showResult } from './checkout-result.js';
import { $, showError, showOutcome } from './page.js';
import { PATHS } from './paths.js';
import { listenToMorePrices, showStore } from './prices.js';

async function start() {
  $('buyer').textContent = buyer();
  watchBillingEvents();
  const query = new URLSearchParams(location.search);
  const sessionId = query.get('session_id');
  if (location.pathname === PATHS.success && sessionId) {
    await showResult(sessionId);
    return;
  }
  if (location.pathname === PATHS.canceled) {
    showOutcome(
      'info',
      'Checkout canceled',
      'You left checkout without paying, so nothing was charged. Pick a price to try again.',
    );
  } else if (query.get('from') === 'portal') {
    showOutcome(
      'info',
      'Back from the billing portal',
      'Changes made there, such as a cancellation, show below as billing events once Stripe reports them.',
    );
  }
  await showStore();
}

listenToMorePrices();
listenToBillingPortal();
listenToNewBuyer();
start().catch((error) => showError(error.message));
