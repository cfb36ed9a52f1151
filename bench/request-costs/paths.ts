import type { HttpHandler } from '../../lambda/core/http-handler';
import { isHandledStripeEventType } from '../../lambda/stripe-events/billing-event-mapping';
import type { LocalStack } from '../../local/local-stack';
import { lambdaContext } from '../../test/support/api-events';
import { paymentIntentObject, stripeEvent } from '../../test/support/stripe-events';
import { sleep } from '../support';
import { checkoutThrough, deliver, listPrices, type MeteredFunctions } from './functions';
import { type Cost, meanCost } from './meter';

/** Requests measured per path (each path's mean; the handler time is a median). */
export const REPEATS = 10;
/** Purchases of each kind whose Stripe events feed the webhook and reconciliation paths. */
export const PURCHASES = 5;
export const PRICES = { subscription: 'price-pro-monthly', oneTime: 'price-typescript-course' };

export interface PathCost {
  readonly name: string;
  /** How many requests (or runs) the figure is the mean of. */
  readonly n: number;
  readonly cost: Cost;
  /** For a run over many events: how many, so a per-event cost can be given. */
  readonly events?: number;
}

/** `operation(i)` measured `n` times, alone each time: the mean cost. */
async function measured(
  fns: MeteredFunctions,
  name: string,
  n: number,
  operation: (i: number) => Promise<unknown>,
): Promise<PathCost> {
  const costs: Cost[] = [];
  for (let i = 0; i < n; i++) costs.push((await fns.meter.measure(() => operation(i))).cost);
  return { name, n, cost: meanCost(costs) };
}

/**
 * Checkout by a first-time buyer (reservation, customer, session), by a returning one
 * (the three reads and the session), and on a new container (its secrets fetched).
 */
export async function checkoutCosts(stack: LocalStack, fns: MeteredFunctions): Promise<PathCost[]> {
  const api = fns.apiContainer();
  const run = Date.now().toString(36);
  const buyer = (i: number) => `costs-${run}-buyer-${String(i)}`;
  // The container's first requests read its secrets and sync both prices to Stripe if the
  // catalog was never sold yet: not what a launch's checkouts cost.
  await checkoutThrough(api, stack, `costs-${run}-warm-up`, PRICES.subscription);
  await checkoutThrough(api, stack, `costs-${run}-warm-up`, PRICES.oneTime);
  const buy = (handler: HttpHandler) => (i: number) =>
    checkoutThrough(handler, stack, buyer(i), PRICES.subscription);
  return [
    await measured(fns, 'checkout, first-time buyer', REPEATS, buy(api)),
    await measured(fns, 'checkout, returning buyer', REPEATS, buy(api)),
    await measured(fns, 'checkout, returning buyer, on a new container', REPEATS, (i) =>
      buy(fns.apiContainer())(i),
    ),
  ];
}

/** The listing's first page: a container's first (its head read), then from its cache. */
export async function listingCosts(fns: MeteredFunctions): Promise<PathCost[]> {
  const api = fns.apiContainer();
  await listPrices(api);
  return [
    await measured(
      fns,
      '`GET /stripe/prices`, head cached (within 5 s on a container)',
      REPEATS,
      () => listPrices(api),
    ),
    await measured(fns, "`GET /stripe/prices`, a container's first (head read)", REPEATS, () =>
      listPrices(fns.apiContainer()),
    ),
  ];
}

/** A buyer's purchase on the sandbox's hosted page: the Stripe events it made, in order. */
async function purchase(
  stack: LocalStack,
  api: HttpHandler,
  userId: string,
  priceId: string,
): Promise<Record<string, unknown>[]> {
  const sandbox = stack.stripeSandbox;
  if (!sandbox) throw new Error('the request-costs benchmark needs the Stripe sandbox');
  const before = new Set(sandbox.state.store.list('event').map((e) => e.id));
  const sessionId = await checkoutThrough(api, stack, userId, priceId);
  const paid = await fetch(`${sandbox.url}/checkout/${sessionId}/pay`, {
    method: 'POST',
    redirect: 'manual',
  });
  if (paid.status >= 400) throw new Error(`paying ${sessionId}: ${paid.status}`);
  // Whatever the payment sets off at the sandbox has happened by now.
  await sleep(50);
  return sandbox.state.store
    .list('event')
    .filter((event) => !before.has(event.id))
    .reverse();
}

/** `PURCHASES` of each kind: the events of the handled types each kind made. */
export async function purchases(
  stack: LocalStack,
  fns: MeteredFunctions,
  label: string,
): Promise<{ events: Record<string, unknown>[]; perPurchase: Map<string, number> }> {
  const api = fns.apiContainer();
  const events: Record<string, unknown>[] = [];
  const perPurchase = new Map<string, number>();
  for (const [kind, priceId] of Object.entries(PRICES)) {
    for (let i = 0; i < PURCHASES; i++) {
      const made = await purchase(stack, api, `costs-${label}-${kind}-${String(i)}`, priceId);
      const handled = made.filter((e) => isHandledStripeEventType(String(e.type)));
      events.push(...handled);
      for (const event of handled) {
        const key = `${kind}: ${String(event.type)}`;
        perPurchase.set(key, (perPurchase.get(key) ?? 0) + 1 / PURCHASES);
      }
    }
  }
  return { events, perPurchase };
}

/**
 * Each event delivered once on a warm container (by type), then again (a duplicate), and a
 * duplicate on a new container (the webhook secret fetched).
 */
export async function webhookCosts(
  fns: MeteredFunctions,
  events: readonly Record<string, unknown>[],
): Promise<PathCost[]> {
  const webhook = fns.webhookContainer();
  // Its first delivery reads the secret and loads what a delivery needs once per container.
  await deliver(webhook, stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')));
  const byType = new Map<string, Cost[]>();
  for (const event of events) {
    const { cost } = await fns.meter.measure(() => deliver(webhook, event));
    const type = String(event.type);
    byType.set(type, [...(byType.get(type) ?? []), cost]);
  }
  const rows = [...byType.entries()].map(([type, costs]) => ({
    name: `webhook: \`${type}\``,
    n: costs.length,
    cost: meanCost(costs),
  }));
  return [
    ...rows,
    await measured(fns, 'webhook: a duplicate delivery (any type)', events.length, (i) =>
      deliver(webhook, events[i]),
    ),
    await measured(fns, 'webhook: a duplicate, on a new container', REPEATS, (i) =>
      deliver(fns.webhookContainer(), events[i % events.length]),
    ),
  ];
}

/**
 * Reconciliation runs: over events the webhook already processed, over events it never
 * received (published by the run), and over an empty window (a run's fixed cost).
 */
export async function reconciliationCosts(
  stack: LocalStack,
  fns: MeteredFunctions,
  deliveredSince: Date,
): Promise<PathCost[]> {
  const run = async (since: Date) => {
    const report = await fns.reconciler().reconcile({ context: lambdaContext(), since });
    if (!report.succeeded) throw new Error(`reconciliation failed: ${report.error ?? ''}`);
    return report;
  };
  const processed = await fns.meter.measure(() => run(deliveredSince));
  const notDeliveredSince = new Date();
  await sleep(1_100); // Stripe's `created` has second resolution.
  await purchases(stack, fns, `undelivered-${Date.now().toString(36)}`);
  const published = await fns.meter.measure(() => run(notDeliveredSince));
  // A window starting a second after the last event: Stripe's `created` is in seconds.
  await sleep(1_100);
  const empty = await fns.meter.measure(() => run(new Date()));
  return [
    {
      name: 'reconciliation run, events the webhook already processed',
      n: 1,
      cost: processed.cost,
      events: processed.result.counts.scanned,
    },
    {
      name: 'reconciliation run, events never delivered (published by the run)',
      n: 1,
      cost: published.cost,
      events: published.result.counts.scanned,
    },
    { name: 'reconciliation run, an empty window (its fixed cost)', n: 1, cost: empty.cost },
  ];
}

/** One catalog snapshot pass over the catalog as it is (unchanged: its usual pass). */
export async function snapshotCost(fns: MeteredFunctions): Promise<PathCost> {
  const pass = fns.snapshotPass();
  const { count } = await pass();
  return measured(fns, `catalog snapshot pass, ${String(count)} listed prices, unchanged`, 3, () =>
    pass(),
  );
}
