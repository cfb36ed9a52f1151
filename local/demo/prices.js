import { api, readJson } from './api.js';
import { rememberPurchase } from './checkout-result.js';
import { $, element, showError } from './page.js';
import { PATHS } from './paths.js';

function formatPrice(price) {
  const amount = globalThis.BillingEventMeanings.formatMoney(price.unitAmount, price.currency);
  if (price.type !== 'recurring') return amount + ' once';
  const every =
    price.intervalCount > 1 ? price.intervalCount + ' ' + price.interval + 's' : price.interval;
  return amount + ' / ' + every;
}

let nextCursor;

/** The prices, from the first page of the listing. */
export async function showStore() {
  $('store').hidden = false;
  $('prices').replaceChildren();
  await loadPrices(undefined);
}

/** One page of the listing (`{prices, nextCursor?}`); "More prices" reads the next. */
async function loadPrices(cursor) {
  const query = cursor === undefined ? '' : '?cursor=' + encodeURIComponent(cursor);
  const page = await readJson(await fetch(PATHS.prices + query));
  const list = $('prices');
  for (const price of page.prices) list.append(priceItem(price));
  if (list.children.length === 0) {
    list.append(element('li', { className: 'empty', textContent: 'Nothing is for sale.' }));
  }
  nextCursor = page.nextCursor;
  $('more-prices').hidden = nextCursor === undefined;
}

function priceItem(price) {
  const label = formatPrice(price);
  const buy = element('button', { type: 'button', className: 'buy', textContent: 'Buy' });
  buy.addEventListener('click', () => checkout(price, label, buy));
  const item = element(
    'li',
    {},
    element('span', {}, element('strong', { textContent: price.productName }), ' · ' + label),
    buy,
  );
  item.dataset.priceId = price.priceId;
  return item;
}

/** "More prices" reads the next page of the listing. */
export function listenToMorePrices() {
  $('more-prices').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      await loadPrices(nextCursor);
    } catch (error) {
      showError('Could not load more prices: ' + error.message);
    } finally {
      button.disabled = false;
    }
  });
}

/** Starts Stripe Checkout for a price; the success page reads what was bought back. */
async function checkout(price, label, button) {
  button.disabled = true;
  showError('');
  try {
    const session = await api('POST', PATHS.checkout, {
      priceId: price.priceId,
      successUrl: location.origin + PATHS.success + '?session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: location.origin + PATHS.canceled,
    });
    rememberPurchase(session.checkoutSessionId, {
      name: price.productName,
      label,
      type: price.type,
    });
    location.assign(session.checkoutUrl);
  } catch (error) {
    showError('Checkout could not start: ' + error.message);
    button.disabled = false;
  }
}
