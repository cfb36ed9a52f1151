import type { StripeObject } from '../objects/fixtures';

/** The kinds of object the sandbox keeps, by id prefix. */
export const OBJECT_KINDS = {
  cus: 'customer',
  prod: 'product',
  price: 'price',
  cs: 'checkout.session',
  bps: 'billing_portal.session',
  pi: 'payment_intent',
  sub: 'subscription',
  in: 'invoice',
  ii: 'invoiceitem',
  pm: 'payment_method',
  evt: 'event',
  feat: 'entitlements.feature',
  prodft: 'product_feature',
  ent: 'entitlements.active_entitlement',
  ch: 'charge',
  re: 'refund',
  dp: 'dispute',
  clock: 'test_helpers.test_clock',
} as const;

export type ObjectKind = (typeof OBJECT_KINDS)[keyof typeof OBJECT_KINDS];

/**
 * All sandbox state, in memory. Objects are stored as Stripe returns them; lists read them
 * newest first, as Stripe's list endpoints do.
 */
export class SandboxStore {
  private readonly objects = new Map<ObjectKind, Map<string, StripeObject>>();

  put(kind: ObjectKind, object: StripeObject): StripeObject {
    let byId = this.objects.get(kind);
    if (!byId) this.objects.set(kind, (byId = new Map<string, StripeObject>()));
    byId.set(object.id as string, object);
    return object;
  }

  get(kind: ObjectKind, id: string): StripeObject | undefined {
    return this.objects.get(kind)?.get(id);
  }

  delete(kind: ObjectKind, id: string): void {
    this.objects.get(kind)?.delete(id);
  }

  /** Newest first (insertion order reversed: `created` has only second resolution). */
  list(kind: ObjectKind): StripeObject[] {
    return [...(this.objects.get(kind)?.values() ?? [])].reverse();
  }

  /** Finds an object of any kind by its id, for `expand`. */
  byId(id: string): StripeObject | undefined {
    const prefix = id.startsWith('cs_') ? 'cs' : id.split('_')[0];
    const kind = (OBJECT_KINDS as Record<string, ObjectKind | undefined>)[prefix ?? ''];
    return kind ? this.get(kind, id) : undefined;
  }

  reset(): void {
    this.objects.clear();
  }

  /** Every object by kind, oldest first: what a data directory keeps (see persistence.ts). */
  saved(): Partial<Record<ObjectKind, StripeObject[]>> {
    return Object.fromEntries([...this.objects].map(([kind, byId]) => [kind, [...byId.values()]]));
  }

  /** Puts back what `saved` returned, in the same order, so lists stay newest first. */
  restore(saved: Partial<Record<ObjectKind, StripeObject[]>>): void {
    this.objects.clear();
    for (const [kind, objects] of Object.entries(saved) as [ObjectKind, StripeObject[]][])
      for (const object of objects) this.put(kind, object);
  }
}
