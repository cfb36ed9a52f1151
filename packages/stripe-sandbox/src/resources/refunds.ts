import { chargeOfIntent, refundCharge } from '../billing/refunds';
import { invalidRequest } from '../http/errors';
import { mergeMetadata, Params } from '../http/params';
import { REFUND_REASONS } from '../objects/charges';
import type { StripeObject } from '../objects/fixtures';
import type { ApiContext, ApiHandler } from './api-context';
import { oneOf } from './payment-intent-params';
import { readEndpoints, refuseNotModelled, requireObject, respond } from './shared';

/**
 * `/v1/refunds` (create, retrieve, list) and `/v1/charges` (retrieve, list): a payment's
 * charge refunded in full or in part, `charge.refunded` and `refund.created`.
 */

const CREATE_PARAMS = [
  'charge',
  'payment_intent',
  'amount',
  'reason',
  'metadata',
  'refund_application_fee',
  'reverse_transfer',
  'instructions_email',
  'origin',
  'customer',
  'currency',
];

const NOT_MODELLED: Readonly<Record<string, string>> = {
  refund_application_fee: 'Connect',
  reverse_transfer: 'Connect',
  instructions_email: 'refunds to customer balances',
  origin: 'refunds to customer balances',
  customer: 'refunds to customer balances',
  currency: 'refunds to customer balances',
};

export const refunds = readEndpoints('refund', '/v1/refunds', ['charge', 'payment_intent']);

export const charges = readEndpoints('charge', '/v1/charges', ['customer', 'payment_intent']);

/** The charge a refund names: by `charge`, or the `payment_intent`'s successful charge. */
function chargeToRefund(context: ApiContext, params: Params): StripeObject {
  const chargeId = params.string('charge');
  const intentId = params.string('payment_intent');
  if (chargeId !== undefined) {
    const charge = requireObject(context, 'charge', chargeId, 'charge', 'charge');
    if (intentId !== undefined && charge.payment_intent !== intentId) {
      throw invalidRequest(
        `The charge ${chargeId} does not belong to the PaymentIntent ${intentId}.`,
        null,
        'charge',
      );
    }
    return charge;
  }
  if (intentId === undefined) {
    throw invalidRequest(
      'One of the following params should be provided for this request: payment_intent or charge.',
      'parameter_missing',
    );
  }
  const id = intentId;
  const intent = requireObject(context, 'payment_intent', id, 'payment_intent', 'payment_intent');
  const charge = chargeOfIntent(context.state, intent);
  if (!charge) {
    throw invalidRequest(
      `This PaymentIntent (${id}) does not have a successful charge to refund.`,
      null,
      'payment_intent',
    );
  }
  return charge;
}

/** `POST /v1/refunds`: refunds a charge, all that is left of it or `amount`. */
export const createRefund: ApiHandler = (context) => {
  const params = new Params(context.raw, CREATE_PARAMS);
  refuseNotModelled(params, NOT_MODELLED);
  const charge = chargeToRefund(context, params);
  const refund = refundCharge(
    context.state,
    charge,
    {
      amount: params.integer('amount', { min: 1 }),
      reason: oneOf(params, 'reason', REFUND_REASONS) ?? null,
      metadata: mergeMetadata({}, params.metadata()),
    },
    context.origin,
  );
  return respond(context, refund, params);
};
