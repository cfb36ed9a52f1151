import { fromFixture, type StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { nowSeconds } from '../objects/clock';
import type { RequestOrigin, SandboxState } from '../state/state';

interface NewCustomer {
  readonly email: string | null;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly phone?: string | null;
  readonly metadata: Record<string, string>;
  /** Other fields the request set (`address`, `invoice_settings`, ...). */
  readonly settings?: StripeObject;
}

/** Creates a customer (the API, or Checkout for a session without one) and its event. */
export function addCustomer(
  state: SandboxState,
  fields: NewCustomer,
  origin: RequestOrigin,
): StripeObject {
  const customer = fromFixture('customer', {
    id: stripeId('cus', 14),
    object: 'customer',
    created: nowSeconds(),
    email: fields.email,
    name: fields.name ?? null,
    description: fields.description ?? null,
    phone: fields.phone ?? null,
    metadata: fields.metadata,
    address: null,
    balance: 0,
    currency: null,
    default_source: null,
    delinquent: false,
    discount: null,
    invoice_prefix: stripeId('x', 8).slice(2).toUpperCase(),
    livemode: false,
    next_invoice_sequence: 1,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
    customer_account: null,
    ...fields.settings,
  });
  state.store.put('customer', customer);
  state.emit('customer.created', customer, origin);
  return customer;
}
