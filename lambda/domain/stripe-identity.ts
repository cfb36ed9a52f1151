import { createHash } from 'node:crypto';
import { STRIPE_LIMITS } from './stripe-limits';

/**
 * What the service sends Stripe to name an app user. User ids are taken exactly as the
 * token gives them (any Unicode, up to 512 characters: contract section 4), but Stripe
 * limits what it takes: idempotency keys to 255 characters (and HTTP headers to visible
 * ASCII), metadata values to 500 characters, `client_reference_id` to 200. So the user is
 * named to Stripe by `userKey`, a digest that always fits, and by the id itself wherever it
 * fits; the webhook falls back to the customers table for a user id Stripe could not hold.
 */
/** SHA-256 of the user id (UTF-8), base64url: 43 characters, header- and query-safe. */
export const userKey = (userId: string): string =>
  createHash('sha256').update(userId, 'utf8').digest('base64url');

/** The metadata that names the user on a Stripe object. */
export function userMetadata(userId: string): { userKey: string; userId?: string } {
  return {
    userKey: userKey(userId),
    // Counted in UTF-16 units, which is never fewer than Stripe's characters.
    ...(userId.length <= STRIPE_LIMITS.metadata.valueChars ? { userId } : {}),
  };
}

/** The user id as a Checkout Session's `client_reference_id`, when it fits. */
export const clientReferenceId = (userId: string): string | undefined =>
  userId.length <= STRIPE_LIMITS.clientReferenceId ? userId : undefined;

/**
 * The idempotency key of a user's one Stripe customer: derived from the user id alone, so
 * concurrent first requests (whatever their other claims) send the same key.
 */
export const customerIdempotencyKey = (userId: string): string => `customer-${userKey(userId)}`;

/** The key of the replacement for a customer Stripe deleted. */
export const replacementCustomerIdempotencyKey = (
  userId: string,
  missingCustomerId: string,
): string => `customer-${userKey(userId)}-replaces-${missingCustomerId}`;
