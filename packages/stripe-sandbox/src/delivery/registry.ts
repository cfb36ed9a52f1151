/**
 * An account's records of one kind (webhook endpoints, event destinations), by id, in
 * creation order: Stripe lists them newest first; a data directory keeps them oldest first.
 */
export class Registry<T> {
  protected readonly records = new Map<string, T>();

  constructor(private readonly idOf: (record: T) => string) {}

  get(id: string): T | undefined {
    return this.records.get(id);
  }

  remove(id: string): boolean {
    return this.records.delete(id);
  }

  get size(): number {
    return this.records.size;
  }

  /** Newest first, as Stripe lists. */
  list(): T[] {
    return [...this.records.values()].reverse();
  }

  /** Oldest first: what a data directory keeps. */
  saved(): T[] {
    return [...this.records.values()];
  }

  /** Puts back what `saved` returned, in the same order. */
  restore(saved: readonly T[]): void {
    this.records.clear();
    for (const record of saved) this.records.set(this.idOf(record), record);
  }

  clear(): void {
    this.records.clear();
  }

  protected put(record: T): T {
    this.records.set(this.idOf(record), record);
    return record;
  }
}
