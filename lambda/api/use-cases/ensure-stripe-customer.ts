import type { AuthenticatedUser } from '../../core/auth';
import type { CustomerMapping, CustomerRepository } from '../../domain/customer';
import type { StripeGateway } from '../../domain/stripe-gateway';

export interface CustomerDependencies {
  readonly customers: CustomerRepository;
  readonly stripe: Pick<StripeGateway, 'createCustomer'>;
  readonly now: () => Date;
}

/**
 * The user's Stripe customer, created on first need: one per user, ever. Concurrent first
 * requests all send the same Stripe idempotency key (derived from the user id), so Stripe
 * creates one customer; the conditional put lets one request write the mapping and the
 * others adopt it.
 */
export async function ensureStripeCustomer(
  deps: CustomerDependencies,
  user: AuthenticatedUser,
): Promise<string> {
  return stripeCustomerFrom(deps, user, await deps.customers.get(user.userId));
}

/** As `ensureStripeCustomer`, from a mapping the caller has just read (consistently). */
export async function stripeCustomerFrom(
  deps: CustomerDependencies,
  user: AuthenticatedUser,
  existing: CustomerMapping | undefined,
): Promise<string> {
  if (existing) {
    const changed =
      (user.email !== undefined && user.email !== existing.email) ||
      (user.role !== undefined && user.role !== existing.role);
    if (changed) {
      await deps.customers.updateContact(user.userId, contact(user), deps.now().toISOString());
    }
    return existing.stripeCustomerId;
  }
  const stripeCustomerId = await deps.stripe.createCustomer({
    userId: user.userId,
    ...(user.email !== undefined ? { email: user.email } : {}),
    idempotencyKey: `customer-${user.userId}`,
  });
  return adopt(deps, user, stripeCustomerId);
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
    idempotencyKey: `customer-${user.userId}-replaces-${missingCustomerId}`,
  });
  const moved = await deps.customers.replaceStripeCustomer(
    user.userId,
    missingCustomerId,
    replacement,
    deps.now().toISOString(),
  );
  if (moved) return replacement;
  const current = await deps.customers.get(user.userId);
  return current?.stripeCustomerId ?? adopt(deps, user, replacement);
}

async function adopt(
  deps: CustomerDependencies,
  user: AuthenticatedUser,
  stripeCustomerId: string,
): Promise<string> {
  const now = deps.now().toISOString();
  const created = await deps.customers.createIfAbsent({
    userId: user.userId,
    stripeCustomerId,
    ...contact(user),
    createdAt: now,
    updatedAt: now,
  });
  if (created) return stripeCustomerId;
  const winner = await deps.customers.get(user.userId);
  if (!winner) throw new Error(`The mapping of ${user.userId} vanished during creation.`);
  return winner.stripeCustomerId;
}

const contact = (user: AuthenticatedUser): { email?: string; role?: string } => ({
  ...(user.email !== undefined ? { email: user.email } : {}),
  ...(user.role !== undefined ? { role: user.role } : {}),
});
