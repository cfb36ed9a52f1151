import type Stripe from 'stripe';
import type { EventWindow, StripeEventSource } from '../domain/stripe-event-source';
import { stripeFailure } from '../core/errors';
import type { StripeClientProvider } from './stripe-client-provider';

/** `types[]` takes at most 20 event types. */
const MAX_TYPES = 20;
/** Stripe's largest page. */
const PAGE_SIZE = 100;
/**
 * Up to this many events are kept from the first (newest-first) listing and processed from
 * it in reverse; a bigger window is walked a second time, oldest first, instead of being
 * held in memory (an event is a few KB, up to about 100 KB with big objects).
 */
export const DEFAULT_BUFFERED_EVENTS = 500;

/**
 * Stripe's events through the stripe SDK (its budget and pinned API version come with the
 * client provider).
 *
 * Stripe lists newest first; reconciliation wants oldest first (so the ordering rule sees
 * a subscription's events in the order they happened, and the cursor can mark progress).
 * A small window is read once and reversed. A big one is read twice: the first pass keeps
 * only the oldest event, the second lists from it towards the newest with `ending_before`
 * (the SDK then walks pages, and each page's items, in reverse). Memory stays bounded: the
 * small window's buffer, or one page.
 */
export class StripeSdkEventSource implements StripeEventSource {
  constructor(
    private readonly clients: StripeClientProvider,
    private readonly bufferedEvents = DEFAULT_BUFFERED_EVENTS,
  ) {}

  async *eventsOldestFirst(window: EventWindow): AsyncGenerator<Stripe.Event> {
    if (window.types.length > MAX_TYPES) {
      throw new Error(
        `Stripe filters events by at most ${MAX_TYPES} types (got ${window.types.length}).`,
      );
    }
    const stripe = await this.clients.client();
    const params: Stripe.EventListParams = {
      types: [...window.types],
      created: { gte: window.createdFrom, lte: window.createdTo },
      limit: PAGE_SIZE,
    };
    let buffer: Stripe.Event[] | undefined = [];
    let oldest: Stripe.Event | undefined;
    for await (const event of stripeList('events.list', () => stripe.events.list(params))) {
      oldest = event;
      if (buffer !== undefined) {
        buffer.push(event);
        if (buffer.length > this.bufferedEvents) buffer = undefined;
      }
    }
    if (oldest === undefined) return;
    if (buffer !== undefined) {
      yield* buffer.reverse();
      return;
    }
    yield oldest;
    const newer = { ...params, ending_before: oldest.id };
    yield* stripeList('events.list', () => stripe.events.list(newer));
  }

  async retrieve(eventId: string): Promise<Stripe.Event | undefined> {
    const stripe = await this.clients.client();
    try {
      return await stripe.events.retrieve(eventId);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'resource_missing') return undefined;
      throw asServiceError('events.retrieve', error);
    }
  }
}

/** Auto-paginates a Stripe list, a failure turned into the service's Stripe error. */
async function* stripeList<T>(
  operation: string,
  list: () => Stripe.ApiListPromise<T>,
): AsyncGenerator<T> {
  try {
    for await (const item of list()) yield item;
  } catch (error) {
    throw asServiceError(operation, error);
  }
}

interface StripeErrorFields {
  readonly type?: unknown;
  readonly code?: unknown;
  readonly requestId?: unknown;
  readonly message?: unknown;
}

/**
 * A stripe SDK error as the service's Stripe failure (a 502 whose log line names the
 * operation, Stripe's error type, code and request id); anything else as it is. Recognised
 * by its fields, not by class: the client provider loads the SDK with `import()`, which
 * (under tsx) is another copy of the module than a static import's, with other classes.
 */
function asServiceError(operation: string, error: unknown): unknown {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as StripeErrorFields;
  if (typeof fields.type !== 'string' || !fields.type.startsWith('Stripe')) return error;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return stripeFailure({
    operation,
    type: fields.type,
    code: text(fields.code),
    requestId: text(fields.requestId),
    message: text(fields.message),
  });
}
