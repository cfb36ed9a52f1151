import { requireDraft } from '../billing/invoice-collection';
import { parameterInvalid, parameterMissing, parameterNotModelled } from '../http/errors';
import { mergeMetadata, Params } from '../http/params';
import { fromFixture, type StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { invoiceItemLine, retotal } from '../objects/invoices';
import { nowSeconds } from '../objects/clock';
import type { ApiContext, ApiHandler } from './api-context';
import { LIST_PARAMS, listObject, withFields } from './listing';
import { requiredCustomer, requireObject, respond, retrieveLive } from './shared';

/** `/v1/invoiceitems`: items pending on a customer's next invoice, or added to a draft one. */

const CREATE_PARAMS = [
  'customer',
  'customer_account',
  'amount',
  'currency',
  'description',
  'discountable',
  'discounts',
  'invoice',
  'metadata',
  'period',
  'price_data',
  'pricing',
  'quantity',
  'quantity_decimal',
  'subscription',
  'tax_behavior',
  'tax_code',
  'tax_rates',
  'unit_amount_decimal',
];

function refuseItemNotModelled(params: Params): void {
  if (params.has('subscription'))
    throw parameterNotModelled(
      'subscription',
      "invoice items pending on a subscription's next invoice",
    );
  if (params.has('price_data')) throw parameterNotModelled('price_data', 'inline prices');
  for (const name of ['discounts', 'tax_rates'])
    if ((params.strings(name) ?? []).length > 0)
      throw parameterNotModelled(name, 'discounts and tax rates');
}

/** What one unit costs, in which currency: a price (`pricing[price]`), or an amount given. */
function itemPricing(
  context: ApiContext,
  params: Params,
  quantity: number,
): { unitAmount: number; currency: string; pricing: StripeObject } {
  const priceId = params.hash('pricing', ['price'])?.string('price');
  if (priceId !== undefined) {
    const price = requireObject(context, 'price', priceId, 'price', 'pricing[price]');
    return {
      unitAmount: price.unit_amount as number,
      currency: price.currency as string,
      pricing: {
        type: 'price_details',
        price_details: { price: price.id, product: price.product },
        unit_amount_decimal: price.unit_amount_decimal,
      },
    };
  }
  const currency = params.requiredString('currency').toLowerCase();
  const amount = params.integer('amount', { min: -99_999_999, max: 99_999_999 });
  const decimal = params.string('unit_amount_decimal');
  if (amount === undefined && decimal === undefined) throw parameterMissing('amount');
  let unitAmount = amount ?? Number(decimal);
  if (amount === undefined && !Number.isInteger(unitAmount))
    throw parameterInvalid('unit_amount_decimal', 'The sandbox takes whole minor units only.');
  // `amount` is the total; a unit amount times the quantity otherwise.
  if (amount !== undefined) unitAmount = quantity === 0 ? 0 : amount / quantity;
  return {
    unitAmount,
    currency,
    pricing: { type: 'price_details', unit_amount_decimal: String(unitAmount) },
  };
}

/** The draft invoice of the same customer that `invoice` names, if given. */
function targetInvoice(
  context: ApiContext,
  params: Params,
  customer: StripeObject,
): StripeObject | undefined {
  const invoiceId = params.string('invoice');
  if (invoiceId === undefined) return undefined;
  const target = requireObject(context, 'invoice', invoiceId, 'invoice', 'invoice');
  requireDraft(target, 'add items to');
  if (target.customer !== customer.id)
    throw parameterInvalid('invoice', 'The invoice belongs to another customer.');
  return target;
}

export const createInvoiceItem: ApiHandler = (context) => {
  const params = new Params(context.raw, CREATE_PARAMS);
  refuseItemNotModelled(params);
  const customer = requiredCustomer(context, params);
  const quantity = params.integer('quantity', { min: 0, max: 99_999_999 }) ?? 1;
  const { unitAmount, currency, pricing } = itemPricing(context, params, quantity);
  const now = nowSeconds();
  const period = params.hash('period', ['start', 'end']);
  const item = fromFixture('invoiceitem', {
    id: stripeId('ii'),
    object: 'invoiceitem',
    amount: Math.round(unitAmount * quantity),
    currency,
    customer: customer.id,
    customer_account: null,
    date: now,
    description: params.nullableString('description') ?? null,
    discountable: params.boolean('discountable') ?? true,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: mergeMetadata({}, params.metadata()),
    net_amount: Math.round(unitAmount * quantity),
    parent: null,
    period: { start: period?.integer('start') ?? now, end: period?.integer('end') ?? now },
    pricing,
    proration: false,
    quantity,
    quantity_decimal: String(quantity),
    tax_rates: [],
    test_clock: null,
  });
  const target = targetInvoice(context, params, customer);
  if (target) item.invoice = target.id;
  context.state.store.put('invoiceitem', item);
  context.state.emit('invoiceitem.created', item, context.origin);
  if (target) {
    (target.lines as { data: StripeObject[] }).data.push(
      invoiceItemLine(item, target.id as string),
    );
    retotal(target);
  }
  return respond(context, item, params);
};

export const retrieveInvoiceItem = retrieveLive('invoiceitem');

export const listInvoiceItems: ApiHandler = (context) => {
  const params = new Params(context.raw, [...LIST_PARAMS, 'customer', 'invoice', 'pending']);
  const pending = params.boolean('pending');
  const fields = withFields({
    customer: params.string('customer'),
    invoice: params.string('invoice'),
  });
  const items = context.state.store
    .list('invoiceitem')
    .filter(
      (item) => fields(item) && (pending === undefined || (item.invoice === null) === pending),
    );
  return respond(context, listObject('/v1/invoiceitems', items, params), params);
};
