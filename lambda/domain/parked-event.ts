/**
 * A verified Stripe event that cannot become a billing event (contract section 4, the
 * *permanent* kind of failure: fields missing or malformed for its type, or a message over
 * the topic's size limit). It is kept, not retried: Stripe gets a 200, nothing is
 * published, and an operator replays it after a fix (contract section 8).
 */
export interface ParkedEventSummary {
  readonly eventId: string;
  /** The Stripe event type, e.g. `invoice.payment_succeeded`. */
  readonly type: string;
  /** Human-readable, naming the field or the limit at fault. */
  readonly reason: string;
  /** ISO 8601. */
  readonly parkedAt: string;
  /**
   * False when the body did not fit the store even compressed: a replay then fetches the
   * event from Stripe by its id (Stripe keeps events for 30 days).
   */
  readonly rawBodyStored: boolean;
  /**
   * The same event id parked again after the first time (a redelivery, another way in, a
   * replay that failed again): how often, and the latest reason. The first parking's
   * reason and raw body are never replaced.
   */
  readonly parkedAgain?: {
    readonly count: number;
    readonly lastReason: string;
    readonly lastParkedAt: string;
  };
}

export interface ParkedEvent extends ParkedEventSummary {
  /** The body exactly as delivered (the bytes Stripe signed), when it was stored. */
  readonly rawBody?: Buffer;
}

/** What the pipeline hands the store; the store decides whether the body fits. */
export interface EventToPark {
  readonly eventId: string;
  readonly type: string;
  readonly reason: string;
  readonly parkedAt: string;
  readonly rawBody: Buffer;
}

export interface ParkedEventPage {
  readonly events: readonly ParkedEventSummary[];
  /** Opaque; absent on the last page. */
  readonly nextCursor?: string;
}

/**
 * Where parked events are kept until replayed. Parking is a write like any other: when it
 * fails the delivery fails (500, transient) and Stripe delivers the event again.
 */
export interface ParkedEventStore {
  /**
   * Keeps the event. An event id already parked keeps its first reason and raw body; the
   * new parking is recorded beside them (`parkedAgain`), so what was delivered first is
   * still there to replay. Answers whether the stored parking has its body.
   */
  park(event: EventToPark): Promise<{ readonly rawBodyStored: boolean }>;
  /** Summaries without bodies, in no particular order. */
  list(options?: { readonly limit?: number; readonly cursor?: string }): Promise<ParkedEventPage>;
  get(eventId: string): Promise<ParkedEvent | undefined>;
  /** After a successful replay. Removing an event that is not parked is not an error. */
  remove(eventId: string): Promise<void>;
}
