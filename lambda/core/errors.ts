/**
 * The contract's error body, `{"error": {"code", "message"}}`, and the HTTP status each
 * kind of failure maps to. Use cases throw these; the HTTP layer turns them into responses.
 */

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Response headers the error needs (e.g. `Allow`); never anything secret. */
    readonly headers: Readonly<Record<string, string>> = {},
    /** Fields for the log line only (e.g. Stripe's request id); never sent to the caller. */
    readonly logFields: Readonly<Record<string, string | undefined>> = {},
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** 400: the caller sent something we cannot use. */
export const invalidRequest = (message: string, code = 'invalid_request'): HttpError =>
  new HttpError(400, code, message);

/** 401: no usable credentials. */
export const unauthorized = (message: string, code = 'invalid_token'): HttpError =>
  new HttpError(401, code, message);

/** 404: the resource does not exist, or is not the caller's. */
export const notFound = (message: string, code = 'not_found'): HttpError =>
  new HttpError(404, code, message);

/** 409: the request conflicts with work already under way. */
export const conflict = (message: string, code = 'conflict'): HttpError =>
  new HttpError(409, code, message);

/** 413: the body is larger than the route accepts. */
export const payloadTooLarge = (maxBytes: number): HttpError =>
  new HttpError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes.`);

/** 415: not JSON. */
export const unsupportedMediaType = (contentType: string): HttpError =>
  new HttpError(
    415,
    'unsupported_media_type',
    `The request body must be JSON (Content-Type: application/json), not ${contentType}.`,
  );

/** What the log says of a failed Stripe call (never sent to the caller). */
export interface StripeFailureDetails {
  readonly operation: string;
  /** The SDK's error type, e.g. `StripeConnectionError` for a timeout. */
  readonly type: string;
  readonly code?: string | undefined;
  readonly requestId?: string | undefined;
  readonly message?: string | undefined;
}

/** The log fields of a failed Stripe call: the dependency, what failed and how. */
const stripeLogFields = (details: StripeFailureDetails): Record<string, string | undefined> => ({
  dependency: 'Stripe',
  operation: details.operation,
  stripeErrorType: details.type,
  stripeCode: details.code,
  stripeRequestId: details.requestId,
  stripeMessage: details.message,
});

/** 502: Stripe failed us; the caller may retry. What failed, and how, goes to the log. */
export const stripeFailure = (details: StripeFailureDetails): HttpError =>
  new HttpError(
    502,
    'stripe_error',
    'Stripe could not complete the request; try again.',
    {},
    stripeLogFields(details),
  );

/** The error code of a request Stripe's rate limits refused (`stripeRateLimited`). */
export const STRIPE_RATE_LIMITED_CODE = 'stripe_rate_limited';

/**
 * 503 with `Retry-After`: Stripe kept refusing the request for its rate limits after the
 * service's own retries (`STRIPE_RATE_LIMIT_RETRIES`). Nothing was done at Stripe; the
 * caller may send the same request again after the wait.
 */
export const stripeRateLimited = (
  details: StripeFailureDetails,
  retryAfterSeconds: number,
): HttpError =>
  new HttpError(
    503,
    STRIPE_RATE_LIMITED_CODE,
    `Stripe is receiving more requests than it allows right now; try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
    { 'Retry-After': String(retryAfterSeconds) },
    stripeLogFields(details),
  );

/** The error code of a request over its caller's per-user limit (`userRateLimited`). */
export const USER_RATE_LIMITED_CODE = 'rate_limited';

/**
 * 429 with `Retry-After`: the caller sent more requests in this window than its per-user
 * limit allows (contract section 4). Refused before anything was read or written.
 */
export const userRateLimited = (retryAfterSeconds: number): HttpError =>
  new HttpError(
    429,
    USER_RATE_LIMITED_CODE,
    `Too many requests for this user; try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
    { 'Retry-After': String(retryAfterSeconds) },
  );

/** 500: our fault. The message never reveals internals. */
export const internalError = (): HttpError =>
  new HttpError(500, 'internal_error', 'Something went wrong on our side; try again later.');
