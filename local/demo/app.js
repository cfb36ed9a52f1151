/**
 * The local demo storefront over the real API: lists the prices, gets a local token for a
 * demo buyer by itself, checks out through the sandbox's hosted page, shows the outcome
 * and the session's state on the way back, and the billing events a subscriber received
 * for the buyer, live. Data is rendered with `textContent` only, so nothing from the API
 * is ever parsed as HTML.
 */
(() => {
  'use strict';

  /**
   * The paths this page calls (contract section 4, the local helpers, and its own pages);
   * test/unit/local/demo-files.test.ts keeps them in step with lambda/shared/routes.ts.
   */
  const PATHS = {
    prices: '/stripe/prices',
    checkout: '/stripe/payment-intent',
    portal: '/stripe/portal',
    session: '/stripe/checkout-sessions/{id}',
    token: '/_local/token',
    billingEvents: '/_local/billing-events',
    home: '/',
    success: '/success',
    canceled: '/canceled',
  };

  /**
   * How often the events list asks for news while the page is visible: soon after a
   * change, less often while nothing happens, and never giving up (slower while the API
   * does not answer). Hidden, it stops asking, and asks at once when shown again.
   */
  const POLL = { fastMs: 500, quietMaxMs: 5000, failingMaxMs: 15000, growth: 1.6 };

  const { describeBillingEvent } = globalThis.BillingEventMeanings;
  const $ = (id) => document.getElementById(id);

  function element(tag, properties, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, properties);
    node.append(...children);
    return node;
  }

  // The buyer ------------------------------------------------------------------------

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

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function readJson(response) {
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = json.error || {};
      throw new ApiError(response.status, error.code, error.message || 'HTTP ' + response.status);
    }
    return json;
  }

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: { authorization: 'Bearer ' + (await token()), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return readJson(response);
  }

  function showError(message) {
    $('message').textContent = message;
  }

  function showOutcome(tone, title, text) {
    const outcome = $('outcome');
    outcome.dataset.tone = tone;
    $('outcome-title').textContent = title;
    $('outcome-text').textContent = text;
    outcome.hidden = false;
  }

  // The prices -----------------------------------------------------------------------

  function formatPrice(price) {
    const amount = BillingEventMeanings.formatMoney(price.unitAmount, price.currency);
    if (price.type !== 'recurring') return amount + ' once';
    const every =
      price.intervalCount > 1 ? price.intervalCount + ' ' + price.interval + 's' : price.interval;
    return amount + ' / ' + every;
  }

  let nextCursor;

  async function showStore() {
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

  async function checkout(price, label, button) {
    button.disabled = true;
    showError('');
    try {
      const session = await api('POST', PATHS.checkout, {
        priceId: price.priceId,
        successUrl: location.origin + PATHS.success + '?session_id={CHECKOUT_SESSION_ID}',
        cancelUrl: location.origin + PATHS.canceled,
      });
      sessionStorage.setItem(
        'demoPurchase:' + session.checkoutSessionId,
        JSON.stringify({ name: price.productName, label, type: price.type }),
      );
      location.assign(session.checkoutUrl);
    } catch (error) {
      showError('Checkout could not start: ' + error.message);
      button.disabled = false;
    }
  }

  // Back from checkout ---------------------------------------------------------------

  /** What the buyer is told on the success page, from the session's state (not the webhook). */
  function sessionOutcome(state, purchase) {
    const what = purchase ? purchase.name + ' (' + purchase.label + ')' : 'your purchase';
    if (state.status === 'complete' && state.paymentStatus !== 'unpaid') {
      return state.mode === 'subscription'
        ? [
            'success',
            'You are subscribed',
            'Thank you! Your subscription to ' + what + ' is active.',
          ]
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

  async function showResult(sessionId) {
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
    const purchase = JSON.parse(sessionStorage.getItem('demoPurchase:' + sessionId) || 'null');
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

  // The billing portal ---------------------------------------------------------------

  $('portal').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    showError('');
    try {
      const { url } = await api('POST', PATHS.portal, {
        returnUrl: location.origin + PATHS.home + '?from=portal',
      });
      location.assign(url);
    } catch (error) {
      if (error.code === 'no_customer') {
        showOutcome(
          'info',
          'Nothing to manage yet',
          'This buyer has not bought anything, so Stripe has no billing to manage. Buy something first.',
        );
      } else {
        showError('The billing portal could not open: ' + error.message);
      }
      button.disabled = false;
    }
  });

  $('new-buyer').addEventListener('click', () => {
    localStorage.removeItem('demoBuyer');
    location.assign(PATHS.home);
  });

  // The billing events, live ---------------------------------------------------------

  const poller = { timer: undefined, delay: POLL.fastMs, running: false, shown: [] };

  function setLive(state, text) {
    const live = $('live');
    live.dataset.state = state;
    live.textContent = text;
  }

  function eventItem(event) {
    const meaning = describeBillingEvent(event);
    const when = new Date(event.occurredAt);
    const time = Number.isNaN(when.getTime()) ? '' : ' · ' + when.toLocaleTimeString();
    const fields = element('dl', { className: 'fields' });
    for (const { key, label, value } of meaning.fields) {
      const dd = element('dd', { textContent: value });
      dd.dataset.field = key;
      fields.append(element('dt', { textContent: label }), dd);
    }
    const item = element(
      'li',
      { className: 'billing-event' },
      element(
        'div',
        { className: 'event-head' },
        element('span', { className: 'event-title', textContent: meaning.title }),
        element(
          'span',
          { className: 'event-type' },
          element('code', { textContent: event.type }),
          time,
        ),
      ),
      element('p', { className: 'event-summary', textContent: meaning.summary }),
      fields,
      element(
        'details',
        {},
        element('summary', { textContent: 'The event as published' }),
        element('pre', { textContent: JSON.stringify(event, null, 2) }),
      ),
    );
    item.dataset.type = event.type;
    item.dataset.tone = meaning.tone;
    item.dataset.eventId = event.id;
    return item;
  }

  /** Appends what is new (the list only grows, oldest first), so open details stay open. */
  function renderEvents(events) {
    const ids = events.map((event) => event.id);
    const list = $('events');
    const grows = poller.shown.every((id, i) => ids[i] === id);
    if (!grows) {
      list.replaceChildren();
      poller.shown = [];
    }
    const fresh = events.slice(poller.shown.length);
    list.append(...fresh.map(eventItem));
    poller.shown = ids;
    $('no-events').hidden = ids.length > 0;
    return fresh.length > 0 || !grows;
  }

  async function pollEvents() {
    poller.timer = undefined;
    if (poller.running) return;
    poller.running = true;
    const me = buyer();
    try {
      const { events } = await readJson(await fetch(PATHS.billingEvents, { cache: 'no-store' }));
      const changed = renderEvents(events.filter((event) => event.userId === me));
      poller.delay = changed ? POLL.fastMs : Math.min(poller.delay * POLL.growth, POLL.quietMaxMs);
      setLive('live', 'Live · checked ' + new Date().toLocaleTimeString());
    } catch {
      poller.delay = Math.min(Math.max(poller.delay * 2, 1000), POLL.failingMaxMs);
      setLive(
        'retrying',
        'The local API does not answer; trying again in ' + Math.round(poller.delay / 1000) + ' s',
      );
    } finally {
      poller.running = false;
    }
    schedulePoll(poller.delay);
  }

  function schedulePoll(delay) {
    clearTimeout(poller.timer);
    poller.timer = undefined;
    if (document.hidden) {
      setLive('paused', 'Paused while this tab is hidden');
      return;
    }
    poller.timer = setTimeout(pollEvents, delay);
  }

  // Hidden: stop asking. Shown again: ask at once, then as after a change.
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) poller.delay = POLL.fastMs;
    schedulePoll(0);
  });

  // The page -------------------------------------------------------------------------

  async function start() {
    $('buyer').textContent = buyer();
    schedulePoll(0);
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

  start().catch((error) => showError(error.message));
})();
