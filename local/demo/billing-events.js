import { readJson } from './api.js';
import { buyer } from './buyer.js';
import { $, element } from './page.js';
import { PATHS } from './paths.js';

/**
 * How often the events list asks for news while the page is visible: soon after a
 * change, less often while nothing happens, and never giving up (slower while the API
 * does not answer). Hidden, it stops asking, and asks at once when shown again.
 */
const POLL = { fastMs: 500, quietMaxMs: 5000, failingMaxMs: 15000, growth: 1.6 };

const { describeBillingEvent } = globalThis.BillingEventMeanings;

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

/** Shows the buyer's billing events, live: asks now, then as `POLL` says. */
export function watchBillingEvents() {
  // Hidden: stop asking. Shown again: ask at once, then as after a change.
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) poller.delay = POLL.fastMs;
    schedulePoll(0);
  });
  schedulePoll(0);
}
