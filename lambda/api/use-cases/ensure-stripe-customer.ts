import type { AuthenticatedUser } from '../../core/auth';
import { type CustomerRecord, type CustomerRepository, isMapped } from '../../domain/customer';
import {
  customerIdempotencyKey,
  replacementCustomerIdempotencyKey,
} from '../../domain/stripe-identity';
import type { StripeGateway } from '../../domain/stripe-gateway';

export interface CustomerDependencies {
  readonly customers: CustomerRepository;
  readonly stripe: Pick<StripeGateway, 'createCustomer' | 'findCustomerByUser'>;
  readonly now: () => Date;
}

/**
 * Stripe keeps idempotency keys for 24 hours. A reservation older than this may stand
 * for a customer whose key Stripe has forgotten, so Stripe is searched before creating.
 * An hour leaves Stripe's search index (updated within about a minute) far behind.
 */
export const SEARCH_RESERVATIONS_OLDER_THAN_MS = 60 * 60 * 1000;

/**
 * The user's Stripe customer, created on first need: one per user, ever.
 * - A reservation (the record without a Stripe id) is written first, conditionally: one
 *   request's claims (email) win, and every request creates the customer from the
 *   reservation, never from its own token, so concurrent first requests send Stripe the
 *   same idempotency key with the same parameters.
 * - The customer is created with a key derived from the user id alone, and the record is
 *   completed conditionally: the loser adopts the winner's customer.
 * - A retry that finds an old reservation (an earlier attempt stopped between Stripe and
 *   the table, possibly days ago) searches Stripe for the user's customer first.
 */
export async function ensureStripeCustomer(
  deps: CustomerDependencies,
  user: AuthenticatedUser,
): Promise<string> {
  return stripeCustomerFrom(deps, user, await deps.customers.get(user.userId));
}

/** As `ensureStripeCustomer`, from a record the caller has just read (consistently). */
export async function stripeCustomerFrom(
  deps: CustomerDependencies,
  user: AuthenticatedUser,
  existing: CustomerRecord | undefined,
): Promise<string> {
  if (isMapped(existing)) {
    const changed =
      (user.email !== undefined && user.email !== existing.email) ||
      (user.role !== undefined && user.role !== existing.role);
    if (changed) {
      await deps.customers.updateContact(user.userId, contact(user), deps.now().toISOString());
    }
    return existing.stripeCustomerId;
  }
  const reservation = existing ?? (await reserve(deps, user));
  if (isMapped(reservation)) return reservation.stripeCustomerId;

  const age = deps.now().getTime() - Date.parse(reservation.createdAt);
  const found =
    age > SEARCH_RESERVATIONS_OLDER_THAN_MS
      ? await deps.stripe.findCustomerByUser(user.userId)
      : undefined;
  const stripeCustomerId =
    found ??
    (await deps.stripe.createCustomer({
      userId: user.userId,
      ...(reservation.email !== undefined ? { email: reservation.email } : {}),
      idempotencyKey: customerIdempotencyKey(user.userId),
    }));
  return complete(deps, user.userId, stripeCustomerId);
}

/**
 * A mapped customer that Stripe no longer has: create a new one (a new idempotency key,
 * since the old key would replay the deleted customer) and move the mapping to it, unless
 * a concurrent request healed it first.
 */
export async function replaceMissingCustomer(
  deps: CustomerDependencies,
  user: AuthenticatedUser,
  missingCustomerId: string,
): Promise<string> {
  const replacement = await deps.stripe.createCustomer({
    userId: user.userId,
    ...(user.email !== undefined ? { email: user.email } : {}),
    idempotencyKey: replacementCustomerIdempotencyKey(user.userId, missingCustomerId),
  });
  const moved = await deps.customers.replaceStripeCustomer(
    user.userId,
    missingCustomerId,
    replacement,
    deps.now().toISOString(),
  );
  if (moved) return replacement;
  const current = await deps.customers.get(user.userId);
  if (isMapped(current)) return current.stripeCustomerId;
  return complete(deps, user.userId, replacement);
}

/** Writes the reservation, or reads the one a concurrent request wrote first. */
async function reserve(deps: CustomerDependencies, user: AuthenticatedUser) {
  const now = deps.now().toISOString();
  const reservation: CustomerRecord = {
    userId: user.userId,
    ...contact(user),
    createdAt: now,
    updatedAt: now,
  };
  if (await deps.customers.createIfAbsent(reservation)) return reservation;
  return mustExist(await deps.customers.get(user.userId), user.userId);
}

async function complete(
  deps: CustomerDependencies,
  userId: string,
  stripeCustomerId: string,
): Promise<string> {
  if (await deps.customers.completeMapping(userId, stripeCustomerId, deps.now().toISOString())) {
    return stripeCustomerId;
  }
  const winner = mustExist(await deps.customers.get(userId), userId);
  if (!isMapped(winner)) throw new Error(`The customer record of a user lost its completion.`);
  return winner.stripeCustomerId;
}

function mustExist(record: CustomerRecord | undefined, userId: string): CustomerRecord {
  // Records are never deleted by the service; a vanished one is an operator's doing.
  if (!record) throw new Error(`The customer record of user ${JSON.stringify(userId)} vanished.`);
  return record;
}

const contact = (user: AuthenticatedUser): { email?: string; role?: string } => ({
  ...(user.email !== undefined ? { email: user.email } : {}),
  ...(user.role !== undefined ? { role: user.role } : {}),
});
