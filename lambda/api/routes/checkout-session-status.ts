import { notFound } from '../../core/errors';
import { jsonResponse, type HttpResponse } from '../../core/http';
import type { AuthenticatedRequest } from '../../core/http-handler';
import type { StripeGateway } from '../../domain/stripe-gateway';
import { getCheckoutSessionStatus } from '../use-cases/checkout-session-status';

/** Stripe's Checkout Session ids; anything else cannot name one, so Stripe is not asked. */
const SESSION_ID = /^cs_(test|live)_[A-Za-z0-9]{1,250}$/;

/** GET /stripe/checkout-sessions/{id} */
export const checkoutSessionStatusRoute =
  (stripe: Pick<StripeGateway, 'findCheckoutSession'>) =>
  async ({ event, user }: AuthenticatedRequest): Promise<HttpResponse> => {
    const id = event.pathParameters?.id ?? '';
    if (!SESSION_ID.test(id))
      throw notFound('No such checkout session.', 'checkout_session_not_found');
    return jsonResponse(200, await getCheckoutSessionStatus(stripe, user, id));
  };
