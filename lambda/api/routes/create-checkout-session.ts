import { jsonResponse, parseJsonObject, type HttpResponse } from '../../core/http';
import type { AuthenticatedRequest } from '../../core/http-handler';
import { BodyReader } from '../../core/validation';
import { METRICS, NO_METRICS, type ServiceMetrics } from '../../domain/metrics';
import { MAX_REDIRECT_URL_LENGTH, type RedirectPolicy } from '../../domain/redirect-policy';
import {
  type CheckoutDependencies,
  createCheckoutSession,
} from '../use-cases/create-checkout-session';
import { checkedRedirectUrl } from './redirect-url';

/** Local price ids are short; the bound keeps Stripe's idempotency keys under 255 characters. */
export const MAX_PRICE_ID_LENGTH = 128;
/** One buyer's seats or units; more is a sales conversation, not a Checkout. */
export const MAX_QUANTITY = 100;

const FIELDS = ['priceId', 'successUrl', 'cancelUrl', 'quantity'];

/** POST /stripe/payment-intent: a Checkout Session for one price, counted once created. */
export const createCheckoutSessionRoute =
  (deps: CheckoutDependencies, redirects: RedirectPolicy, metrics: ServiceMetrics = NO_METRICS) =>
  async ({ event, user }: AuthenticatedRequest): Promise<HttpResponse> => {
    const body = new BodyReader(parseJsonObject(event), FIELDS);
    const priceId = body.requiredString('priceId', MAX_PRICE_ID_LENGTH);
    const url = (field: string) =>
      checkedRedirectUrl(redirects, field, body.requiredString(field, MAX_REDIRECT_URL_LENGTH));
    const request = {
      priceId,
      successUrl: url('successUrl'),
      cancelUrl: url('cancelUrl'),
      quantity: body.optionalInteger('quantity', 1, MAX_QUANTITY) ?? 1,
    };
    const session = await createCheckoutSession(deps, user, request);
    metrics.count(METRICS.checkoutSessionsCreated);
    return jsonResponse(200, session);
  };
