import Stripe from 'stripe';
import { stripeFailure } from '../core/errors';
import {
  type CheckoutSessionView,
  StripeCustomerMissingError,
  type StripeGateway,
} from '../domain/stripe-gateway';

/** Where the stripe SDK connects: Stripe itself, or the local sandbox (host/port/protocol). */
export interface StripeConnection {
  readonly host?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
}

/**
 * One stripe client per secret key value: the key is read through the secrets cache on
 * every request (so a rotation takes effect), and a new client is built only when it
 * changes.
 */
export class StripeClientProvider {
  private cached: { key: string; client: Stripe } | undefined;

  constructor(
    private readonly secretKey: () => Promise<string>,
    private readonly connection: StripeConnection = {},
  ) {}

  async client(): Promise<Stripe> {
    const key = await this.secretKey();
    if (this.cached?.key !== key) {
      this.cached = {
        key,
        client: new Stripe(key, { ...this.connection, maxNetworkRetries: 2, timeout: 10_000 }),
      };
    }
    return this.cached.client;
  }
}

export class StripeSdkGateway implements StripeGateway {
  constructor(private readonly clients: StripeClientProvider) {}

  async createCustomer(input: {
    userId: string;
    email?: string;
    idempotencyKey: string;
  }): Promise<string> {
    const stripe = await this.clients.client();
    const customer = await call(() =>
      stripe.customers.create(
        {
          ...(input.email !== undefined ? { email: input.email } : {}),
          metadata: { userId: input.userId },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return customer.id;
  }

  async createPortalSession(input: { customerId: string; returnUrl: string }): Promise<string> {
    const stripe = await this.clients.client();
    const session = await call(
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
    try {
      const session = await stripe.checkout.sessions.retrieve(id);
      return {
        id: session.id,
        status: session.status,
        paymentStatus: session.payment_status,
        mode: session.mode,
        clientReferenceId: session.client_reference_id,
        metadataUserId: session.metadata?.userId,
        subscriptionId: idOf(session.subscription),
        paymentIntentId: idOf(session.payment_intent),
      };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeError && error.code === 'resource_missing')
        return undefined;
      return call(() => Promise.reject(error as Error));
    }
  }
}

const idOf = (value: string | { id: string } | null): string | null =>
  value === null ? null : typeof value === 'string' ? value : value.id;

/** Runs a Stripe call, turning its failures into the service's errors. */
export async function call<T>(request: () => Promise<T>, customerId?: string): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    if (
      customerId !== undefined &&
      error.code === 'resource_missing' &&
      error.param === 'customer'
    ) {
      throw new StripeCustomerMissingError(customerId);
    }
    throw stripeFailure(error.requestId, error.code);
  }
}
