import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from '../../src';

export const WEBHOOK_SECRET = 'whsec_sandbox_test';
export const API_KEY = 'sk_test_sandbox_harness';

/**
 * A webhook endpoint as the service runs one: it verifies every delivery with the stripe
 * package and records the events. `failNext` makes it answer 500 to the next deliveries.
 * `secret` may be set after start: an API-created endpoint's secret comes with its URL.
 */
export class WebhookReceiver {
  readonly events: Stripe.Event[] = [];
  readonly rejected: string[] = [];
  failNext = 0;
  private readonly server: Server;

  constructor(public secret: string = WEBHOOK_SECRET) {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const payload = Buffer.concat(chunks).toString('utf8');
        if (this.failNext > 0) {
          this.failNext -= 1;
          response.writeHead(500).end();
          return;
        }
        try {
          const signature = request.headers['stripe-signature'];
          this.events.push(Stripe.webhooks.constructEvent(payload, String(signature), this.secret));
          response.writeHead(200).end('{"received":true}');
        } catch (error) {
          this.rejected.push((error as Error).message);
          response.writeHead(400).end();
        }
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/stripe/webhook`;
  }

  types(): string[] {
    return this.events.map((event) => event.type);
  }

  ids(): string[] {
    return this.events.map((event) => event.id);
  }

  clear(): void {
    this.events.length = 0;
    this.rejected.length = 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }
}

export interface Harness {
  readonly sandbox: StripeSandbox;
  /** The receiver's URL, the sandbox's webhook endpoint. */
  readonly endpoint: string;
  readonly stripe: Stripe;
  readonly receiver: WebhookReceiver;
  /** Waits until every delivery (retries included) has finished. */
  settle(): Promise<void>;
  /** POSTs JSON to a test control and returns the parsed answer. */
  control(path: string, body?: unknown): Promise<unknown>;
  /** Any method on a test control (`GET chaos`, `DELETE clock`, ...); throws on non-2xx. */
  call<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** The stripe SDK, unchanged, pointed at a sandbox. */
export const sandboxClient = (sandbox: StripeSandbox, apiKey = API_KEY): Stripe =>
  new Stripe(apiKey, {
    host: '127.0.0.1',
    port: sandbox.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });

export interface HarnessOptions {
  readonly retryDelaysMs?: number[];
  /** Keep the sandbox's state there (`StripeSandboxOptions.dataDir`). */
  readonly dataDir?: string;
  /**
   * Enforce Stripe's rate limits (the sandbox's default). Off in the sandbox's own tests of
   * its other features, which call it as fast as a machine allows; the rate-limit tests,
   * and every test of the service (through the local stack), run with them on.
   */
  readonly rateLimits?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const receiver = new WebhookReceiver();
  const endpoint = await receiver.start();
  const sandbox = await startStripeSandbox({
    port: 0,
    webhookSecret: WEBHOOK_SECRET,
    webhookEndpoints: [endpoint],
    retryDelaysMs: options.retryDelaysMs ?? [20, 40, 80],
    deliveryTimeoutMs: 2_000,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.rateLimits === true ? {} : { rateLimits: false }),
  });
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sandbox.url}/_sandbox/${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const parsed = (await response.json()) as T;
    if (!response.ok)
      throw new Error(
        `control ${method} ${path} answered ${response.status}: ${JSON.stringify(parsed)}`,
      );
    return parsed;
  };
  return {
    sandbox,
    endpoint,
    stripe: sandboxClient(sandbox),
    receiver,
    settle: () => sandbox.state.delivery.idle(),
    control: (path, body = {}) => call('POST', path, body),
    call,
    stop: async () => {
      await sandbox.stop();
      await receiver.stop();
    },
  };
}

/**
 * A test file's harness: started before its first test, stopped after its last. The
 * object is filled in by then, so a file reads `h.stripe` in its tests as usual.
 * `between` is what each test starts from: `reset`, an empty sandbox (chaos off, the clock
 * running, the start-option endpoint restored); `settle`, the earlier tests' deliveries
 * finished, the state kept. Either way the receiver is emptied and answers again.
 */
export function useHarness(
  options: HarnessOptions & { readonly between?: 'reset' | 'settle' } = {},
): Harness {
  const h = {} as Harness;
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(options);
    Object.assign(h, started);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const { between } = options;
  if (between !== undefined) {
    beforeEach(async () => {
      if (between === 'reset') await h.control('reset');
      else await h.settle();
      h.receiver.clear();
      h.receiver.failNext = 0;
    });
  }
  return h;
}

/** The Stripe error a call fails with (Stripe's status, code, param); throws if it succeeds. */
export async function failure(call: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

/** A product with one price, the way the service will sync one. */
export async function priceFixture(
  stripe: Stripe,
  recurring: boolean,
  unitAmount = 1999,
): Promise<{ product: Stripe.Product; price: Stripe.Price }> {
  const product = await stripe.products.create({ name: recurring ? 'Pro plan' : 'Course' });
  const price = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: unitAmount,
    ...(recurring ? { recurring: { interval: 'month' } } : {}),
  });
  return { product, price };
}

/** A subscription Checkout Session of `customer` for `price`, paid: the session as completed. */
export async function paidCheckout(
  h: Harness,
  customer: string,
  price: Stripe.Price,
): Promise<Stripe.Checkout.Session> {
  const created = await h.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer,
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: 'https://a.example/s',
  });
  await h.control(`checkout/sessions/${created.id}/complete`, { outcome: 'succeeded' });
  return h.stripe.checkout.sessions.retrieve(created.id);
}

/** A customer who paid a subscription checkout: the session as completed, and its price. */
export async function paidSubscription(
  h: Harness,
  email: string,
): Promise<{
  customer: Stripe.Customer;
  product: Stripe.Product;
  price: Stripe.Price;
  session: Stripe.Checkout.Session;
}> {
  const customer = await h.stripe.customers.create({ email });
  const { product, price } = await priceFixture(h.stripe, true);
  return { customer, product, price, session: await paidCheckout(h, customer.id, price) };
}

/** One more webhook endpoint's receiver (the caller stops it); its secret is set later. */
export async function startReceiver(
  secret = 'whsec_not_yet_known',
): Promise<{ receiver: WebhookReceiver; url: string }> {
  const receiver = new WebhookReceiver(secret);
  return { receiver, url: await receiver.start() };
}
