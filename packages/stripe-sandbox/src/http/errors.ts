import { type CardDecline, declineDocUrl } from '../objects/test-cards';

/** Stripe's error types, as its API reports them. */
type StripeErrorType =
  | 'api_error'
  | 'card_error'
  | 'idempotency_error'
  | 'invalid_request_error'
  | 'rate_limit_error'
  | 'authentication_error';

/** An error the sandbox answers with Stripe's body: `{"error": {type, code, message, param}}`. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** More of Stripe's error fields: `decline_code`, `doc_url`, `payment_intent`, ... */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toBody(requestId: string): Record<string, unknown> {
    return {
      error: {
        type: this.type,
        code: this.code,
        message: this.message,
        param: this.param,
        ...this.details,
        request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}`,
      },
    };
  }
}

/** Stripe's 400 `invalid_request_error`: a request Stripe refuses as it stands. */
export const invalidRequest = (
  message: string,
  code: string | null = null,
  param: string | null = null,
): StripeApiError => new StripeApiError(400, 'invalid_request_error', message, code, param);

/** 404 for the resource a path names; 400 for an object a parameter names (as at Stripe). */
export const resourceMissing = (kind: string, id: string, param = 'id'): StripeApiError =>
  new StripeApiError(
    param === 'id' ? 404 : 400,
    'invalid_request_error',
    `No such ${kind}: '${id}'`,
    'resource_missing',
    param,
  );

export const parameterMissing = (param: string): StripeApiError =>
  invalidRequest(`Missing required param: ${param}.`, 'parameter_missing', param);

export const parameterInvalid = (param: string, message: string): StripeApiError =>
  invalidRequest(message, 'parameter_invalid', param);

export const parameterUnknown = (param: string): StripeApiError =>
  invalidRequest(`Received unknown parameter: ${param}`, 'parameter_unknown', param);

/**
 * A parameter Stripe takes whose behaviour the sandbox does not model (trials, coupons,
 * Connect, ...): refused by name rather than silently ignored, so a test never passes on
 * a behaviour that did not happen.
 */
export const parameterNotModelled = (param: string, what: string): StripeApiError =>
  parameterInvalid(
    param,
    `The sandbox does not model ${what} (\`${param}\`); see the sandbox's README.`,
  );

/** Stripe's 402 for a declined card. */
export function cardError(decline: CardDecline, details: Record<string, unknown> = {}) {
  return new StripeApiError(402, 'card_error', decline.message, decline.code, null, {
    decline_code: decline.declineCode,
    doc_url: declineDocUrl(decline),
    ...details,
  });
}
