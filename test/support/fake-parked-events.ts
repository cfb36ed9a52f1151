import type {
  EventToPark,
  ParkedEvent,
  ParkedEventPage,
  ParkedEventStore,
} from '../../lambda/domain/parked-event';

/** The parked-events store in memory, for unit tests; `failWith` makes every write fail. */
export class FakeParkedEventStore implements ParkedEventStore {
  readonly parked = new Map<string, ParkedEvent>();
  /** Every `park` call, in order (a re-park of one event id shows twice here). */
  readonly calls: EventToPark[] = [];
  failWith: Error | undefined;

  park(event: EventToPark): Promise<{ rawBodyStored: boolean }> {
    this.calls.push(event);
    if (this.failWith) return Promise.reject(this.failWith);
    const first = this.parked.get(event.eventId);
    // The store's rule (held to the DynamoDB adapter by parkedEventStoreContract): the first
    // parking stays, a later one is only recorded beside it.
    this.parked.set(
      event.eventId,
      first === undefined
        ? { ...event, rawBodyStored: true }
        : {
            ...first,
            parkedAgain: {
              count: (first.parkedAgain?.count ?? 0) + 1,
              lastReason: event.reason,
              lastParkedAt: event.parkedAt,
            },
          },
    );
    return Promise.resolve({ rawBodyStored: true });
  }

  list(): Promise<ParkedEventPage> {
    return Promise.resolve({
      events: [...this.parked.values()].map(({ rawBody: _, ...summary }) => summary),
    });
  }

  get(eventId: string): Promise<ParkedEvent | undefined> {
    return Promise.resolve(this.parked.get(eventId));
  }

  remove(eventId: string): Promise<void> {
    this.parked.delete(eventId);
    return Promise.resolve();
  }
}
