import { ROUTES } from '../lambda/shared/routes';
import { LOCAL_ROUTES } from './local-routes';

/** Where Checkout sends the buyer back; the demo page shows the session's state there. */
export const DEMO_SUCCESS_PATH = '/success';
export const DEMO_PATHS: readonly string[] = ['/', DEMO_SUCCESS_PATH];

/**
 * `GET /` and `GET /success` of the local run: a small storefront over the real API. It
 * lists the prices, gets a local token for a demo buyer by itself, checks out through the
 * sandbox's hosted page, and on the way back shows the session's state (from the API, not
 * from the webhook) and the billing events a subscriber of the topic received, with a link
 * to the billing portal. Plain HTML and a little script; data is rendered with
 * `textContent` only, so nothing from the API is ever parsed as HTML.
 */
export function renderDemoPage(): string {
  const paths = {
    prices: ROUTES.listPrices.path,
    checkout: ROUTES.createCheckoutSession.path,
    portal: ROUTES.createPortalSession.path,
    session: ROUTES.getCheckoutSession.path,
    token: LOCAL_ROUTES.token,
    billingEvents: LOCAL_ROUTES.billingEvents,
    success: DEMO_SUCCESS_PATH,
  };
  const apiList = Object.values(ROUTES)
    .map((route) => `<li><code>${route.method} ${route.path}</code> (${route.auth})</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stripe service · local demo</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1a1f36; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
  ul.prices { list-style: none; padding: 0; }
  ul.prices li { display: flex; justify-content: space-between; align-items: center; border: 1px solid #e3e8ee; border-radius: 8px; padding: .75rem 1rem; margin: .5rem 0; }
  button { background: #635bff; color: #fff; border: 0; border-radius: 6px; padding: .5rem 1rem; font: inherit; cursor: pointer; }
  button.secondary { background: #e3e8ee; color: #1a1f36; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { color: #697386; } dd { margin: 0; font-family: ui-monospace, monospace; }
  #message { color: #c23d4b; min-height: 1.5rem; }
  .muted { color: #697386; font-size: .9rem; }
  footer { margin-top: 3rem; }
</style>
</head>
<body>
<h1>Stripe service · local demo</h1>
<p class="muted">Buying as <code id="buyer"></code> <button type="button" class="secondary" id="new-buyer">New buyer</button></p>
<p id="message" role="status"></p>

<section id="store" hidden>
  <h2>Prices</h2>
  <ul class="prices" id="prices"></ul>
</section>

<section id="result" hidden>
  <h2>Checkout session</h2>
  <dl id="session"></dl>
  <h2>Billing events received</h2>
  <p class="muted">What a subscriber of the billing events topic received for this buyer (it arrives through the webhook, a moment after the session completes).</p>
  <ol id="events"></ol>
  <p><button type="button" id="portal">Manage billing</button> <a href="/">Back to the prices</a></p>
</section>

<footer class="muted">
  <p>API of this local run:</p>
  <ul>
${apiList}
<li><code>GET ${LOCAL_ROUTES.token}?userId=&amp;email=&amp;role=</code> (local only)</li>
<li><code>GET ${LOCAL_ROUTES.billingEvents}</code> (local only)</li>
  </ul>
</footer>

<script>
const PATHS = ${JSON.stringify(paths)};
const $ = (id) => document.getElementById(id);

function buyer() {
  let id = localStorage.getItem('demoBuyer');
  if (!id) {
    id = 'demo-' + Math.random().toString(36).slice(2, 10);
    localStorage.setItem('demoBuyer', id);
  }
  return id;
}

async function token() {
  const id = buyer();
  const query = new URLSearchParams({ userId: id, email: id + '@example.com' });
  const response = await fetch(PATHS.token + '?' + query);
  return (await response.json()).token;
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: 'Bearer ' + (await token()), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(json.error ? json.error.code + ': ' + json.error.message : response.status);
  return json;
}

function show(message) { $('message').textContent = message; }

function formatPrice(price) {
  const amount = new Intl.NumberFormat('en', { style: 'currency', currency: price.currency.toUpperCase() })
    .format(price.unitAmount / 100);
  if (price.type !== 'recurring') return amount + ' once';
  const every = price.intervalCount > 1 ? price.intervalCount + ' ' + price.interval + 's' : price.interval;
  return amount + ' / ' + every;
}

async function showStore() {
  $('store').hidden = false;
  const { prices } = await (await fetch(PATHS.prices)).json();
  const list = $('prices');
  list.replaceChildren();
  for (const price of prices) {
    const item = document.createElement('li');
    item.dataset.priceId = price.priceId;
    const label = document.createElement('span');
    const name = document.createElement('strong');
    name.textContent = price.productName;
    label.append(name, ' · ' + formatPrice(price));
    const buy = document.createElement('button');
    buy.type = 'button';
    buy.className = 'buy';
    buy.textContent = 'Buy';
    buy.addEventListener('click', () => checkout(price.priceId, buy));
    item.append(label, buy);
    list.append(item);
  }
}

async function checkout(priceId, button) {
  button.disabled = true;
  show('');
  try {
    const session = await api('POST', PATHS.checkout, {
      priceId,
      successUrl: location.origin + PATHS.success + '?session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: location.origin + '/',
    });
    location.assign(session.checkoutUrl);
  } catch (error) {
    show('Checkout failed: ' + error.message);
    button.disabled = false;
  }
}

function row(list, term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value === undefined || value === null ? '—' : String(value);
  dd.dataset.field = term;
  list.append(dt, dd);
}

async function showResult(sessionId) {
  $('result').hidden = false;
  const state = await api('GET', PATHS.session.replace('{id}', encodeURIComponent(sessionId)));
  const list = $('session');
  list.replaceChildren();
  for (const field of ['checkoutSessionId', 'status', 'paymentStatus', 'mode', 'subscriptionId', 'paymentIntentId']) {
    row(list, field, state[field]);
  }
  await pollEvents();
}

async function pollEvents() {
  const id = buyer();
  const deadline = Date.now() + 15000;
  let seen = -1;
  while (Date.now() < deadline) {
    const { events } = await (await fetch(PATHS.billingEvents)).json();
    const mine = events.filter((event) => event.userId === id);
    if (mine.length !== seen) {
      seen = mine.length;
      const list = $('events');
      list.replaceChildren(...mine.map((event) => {
        const item = document.createElement('li');
        item.className = 'billing-event';
        item.dataset.type = event.type;
        item.textContent = event.type + ' (' + event.id + ')';
        return item;
      }));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

$('portal').addEventListener('click', async () => {
  try {
    const { url } = await api('POST', PATHS.portal, { returnUrl: location.origin + '/' });
    location.assign(url);
  } catch (error) {
    show('Portal failed: ' + error.message);
  }
});

$('new-buyer').addEventListener('click', () => {
  localStorage.removeItem('demoBuyer');
  location.assign('/');
});

$('buyer').textContent = buyer();
const sessionId = new URLSearchParams(location.search).get('session_id');
(location.pathname === PATHS.success && sessionId ? showResult(sessionId) : showStore())
  .catch((error) => show(error.message));
</script>
</body>
</html>
`;
}
