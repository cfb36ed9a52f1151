import type Stripe from 'stripe';
import { STRIPE_RATE_LIMIT_RETRIES } from '../core/dependencies';
import { stripeFailure, stripeRateLimited } from '../core/errors';
import { isStripeRateLimit, retryRateLimited } from './stripe-rate-limit';
import type { CatalogPrice, CatalogProduct } from '../domain/catalog';
import { priceTerms } from '../domain/catalog-sync';
import { clientReferenceId, userKey, userMetadata } from '../domain/stripe-identity';
import {
  type CheckoutSessionView,
  type CreatedCheckoutSession,
  type NewCheckoutSession,
  StripeCustomerMissingError,
  type StripeGateway,
  type StripePriceView,
} from '../domain/stripe-gateway';
import { isStripeError, type StripeClientProvider } from './stripe-client-provider';

export { StripeClientProvider, type StripeConnection } from './stripe-client-provider';

export class StripeSdkGateway implements StripeGateway {
  constructor(private readonly clients: StripeClientProvider) {}

  async createCustomer(input: {
    userId: string;
    email?: string;
    idempotencyKey: string;
  }): Promise<string> {
    const stripe = await this.clients.client();
    const customer = await call('customers.create', () =>
      stripe.customers.create(
        {
          ...(input.email !== undefined ? { email: input.email } : {}),
          metadata: userMetadata(input.userId),
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return customer.id;
  }

  async findCustomerByUser(userId: string): Promise<string | undefined> {
    const stripe = await this.clients.client();
    // The key is base64url: nothing in it needs escaping in Stripe's search syntax.
    const found = await call('customers.search', () =>
      stripe.customers.search({ query: `metadata['userKey']:'${userKey(userId)}'`, limit: 10 }),
    );
    // Should an earlier bug have made two, the oldest is the one to keep using.
    return [...found.data].sort((a, b) => a.created - b.created)[0]?.id;
  }

  async createPortalSession(input: { customerId: string; returnUrl: string }): Promise<string> {
    const stripe = await this.clients.client();
    const session = await call(
      'billingPortal.sessions.create',
      () =>
        stripe.billingPortal.sessions.create({
          customer: input.customerId,
          return_url: input.returnUrl,
        }),
      input.customerId,
    );
    return session.url;
  }

  async findCheckoutSession(id: string): Promise<CheckoutSessionView | undefined> {
    const stripe = await this.clients.client();
    const session = await orMissing('checkout.sessions.retrieve', () =>
      stripe.checkout.sessions.retrieve(id),
    );
    if (session === undefined) return undefined;
    return {
      id: session.id,
      status: session.status,
      paymentStatus: session.payment_status,
      mode: session.mode,
      clientReferenceId: session.client_reference_id,
      metadataUserId: session.metadata?.userId,
      metadataUserKey: session.metadata?.userKey,
      subscriptionId: idOf(session.subscription),
      paymentIntentId: idOf(session.payment_intent),
    };
  }

  async createCheckoutSession(input: NewCheckoutSession): Promise<CreatedCheckoutSession> {
    const stripe = await this.clients.client();
    const metadata = { ...userMetadata(input.userId), priceId: input.priceId };
    const reference = clientReferenceId(input.userId);
    const session = await call(
      'checkout.sessions.create',
      () =>
        stripe.checkout.sessions.create({
          mode: input.mode,
          customer: input.customerId,
          ...(reference !== undefined ? { client_reference_id: reference } : {}),
          line_items: [{ price: input.stripePriceId, quantity: input.quantity }],
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
          metadata,
          ...(input.mode === 'subscription'
            ? { subscription_data: { metadata } }
            : { payment_intent_data: { metadata } }),
        }),
      input.customerId,
    );
    if (session.url === null) throw new Error(`Checkout Session ${session.id} has no URL.`);
    return { id: session.id, url: session.url, paymentIntentId: idOf(session.payment_intent) };
  }

  async createProduct(input: { product: CatalogProduct; idempotencyKey: string }): Promise<string> {
    const stripe = await this.clients.client();
    const { product } = input;
    const created = await call('products.create', () =>
      stripe.products.create(
        {
          name: product.name,
          ...(product.description !== undefined ? { description: product.description } : {}),
          metadata: { productId: product.productId },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return created.id;
  }

  async createPrice(input: {
    price: CatalogPrice;
    stripeProductId: string;
    idempotencyKey: string;
  }): Promise<string> {
    const stripe = await this.clients.client();
    const { price } = input;
    const created = await call('prices.create', () =>
      stripe.prices.create(
        {
          product: input.stripeProductId,
          unit_amount: price.unitAmount,
          currency: price.currency,
          ...recurrence(price),
          lookup_key: price.priceId,
          transfer_lookup_key: true,
          metadata: { priceId: price.priceId, productId: price.productId },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return created.id;
  }

  async findPrice(stripePriceId: string): Promise<StripePriceView | undefined> {
    const stripe = await this.clients.client();
    const price = await orMissing('prices.retrieve', () => stripe.prices.retrieve(stripePriceId));
    if (price === undefined) return undefined;
    const { recurring } = price;
    return {
      id: price.id,
      stripeProductId: typeof price.product === 'string' ? price.product : price.product.id,
      active: price.active,
      terms: priceTerms({
        unitAmount: price.unit_amount ?? -1,
        currency: price.currency,
        type: price.type === 'recurring' ? 'recurring' : 'one_time',
        ...(recurring
          ? { interval: recurring.interval, intervalCount: recurring.interval_count }
          : {}),
      }),
    };
  }

  async archivePrice(stripePriceId: string): Promise<void> {
    const stripe = await this.clients.client();
    // A price Stripe no longer has cannot be bought either.
    await orMissing('prices.update', () => stripe.prices.update(stripePriceId, { active: false }));
  }
}

function recurrence(price: CatalogPrice): Pick<Stripe.PriceCreateParams, 'recurring'> {
  if (price.type === 'one_time') return {};
  // parseCatalogPrice guarantees an interval on a recurring price.
  if (price.interval === undefined) throw new Error(`Price ${price.priceId} has no interval.`);
  return { recurring: { interval: price.interval, interval_count: price.intervalCount ?? 1 } };
}

/** The result, or undefined when Stripe answers `resource_missing`; other failures as `call`. */
async function orMissing<T>(operation: string, request: () => Promise<T>): Promise<T | undefined> {
  return call(operation, async () => {
    try {
      return await request();
    } catch (error) {
      if (isStripeError(error) && error.code === 'resource_missing') return undefined;
      throw error;
    }
  });
}

const idOf = (value: string | { id: string } | null): string | null =>
  value === null ? null : typeof value === 'string' ? value : value.id;

/**
 * Runs a Stripe call, turning its failures into the service's errors: a 502 whose log
 * line carries Stripe's error type, code and request id, and the operation that failed;
 * a rate-limited call is retried within its window (`retryRateLimited`), then a 503
 * `stripe_rate_limited` with `Retry-After`.
 */
export async function call<T>(
  operation: string,
  request: () => Promise<T>,
  customerId?: string,
): Promise<T> {
  try {
    return await retryRateLimited(request);
  } catch (error) {
    if (!isStripeError(error)) throw error;
    const details = {
      operation,
      type: error.type,
      code: error.code,
      requestId: error.requestId,
      message: error.message,
    };
    if (isStripeRateLimit(error)) {
      throw stripeRateLimited(details, STRIPE_RATE_LIMIT_RETRIES.retryAfterSeconds);
    }
    if (
      customerId !== undefined &&
      error.code === 'resource_missing' &&
      error.param === 'customer'
    ) {
      throw new StripeCustomerMissingError(customerId);
    }
    throw stripeFailure(details);
  }
}
