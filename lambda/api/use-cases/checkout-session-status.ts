import type { AuthenticatedUser } from '../../core/auth';
import { notFound } from '../../core/errors';
import type { CheckoutSessionView, StripeGateway } from '../../domain/stripe-gateway';
import { userKey } from '../../domain/stripe-identity';

/** `GET /stripe/checkout-sessions/{id}` (contract section 4). */
export interface CheckoutSessionStatus {
  readonly checkoutSessionId: string;
  readonly status: string | null;
  readonly paymentStatus: string;
  readonly mode: string;
  readonly subscriptionId?: string;
  readonly paymentIntentId?: string;
}

/**
 * The state of one of the caller's own sessions, straight from Stripe (a success page
 * must not wait on the webhook). Another user's session is a 404, like a missing one, so
 * session ids cannot be probed.
 */
export async function getCheckoutSessionStatus(
  stripe: Pick<StripeGateway, 'findCheckoutSession'>,
  user: AuthenticatedUser,
  sessionId: string,
): Promise<CheckoutSessionStatus> {
  const session = await stripe.findCheckoutSession(sessionId);
  if (!session || !ownedBy(session, user.userId))
    throw notFound('No such checkout session.', 'checkout_session_not_found');
  return {
    checkoutSessionId: session.id,
    status: session.status,
    paymentStatus: session.paymentStatus,
    mode: session.mode,
    ...(session.subscriptionId !== null ? { subscriptionId: session.subscriptionId } : {}),
    ...(session.paymentIntentId !== null ? { paymentIntentId: session.paymentIntentId } : {}),
  };
}

/** The session names its user by `metadata.userKey`, or (older sessions) by the id itself. */
function ownedBy(session: CheckoutSessionView, userId: string): boolean {
  if (session.metadataUserKey !== undefined) return session.metadataUserKey === userKey(userId);
  return (session.clientReferenceId ?? session.metadataUserId) === userId;
}
