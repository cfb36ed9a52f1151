import type { LocalStack } from '../local/local-stack';
import { setSandboxRateLimits } from './launch-day/burst';
import { meteredFunctions } from './request-costs/functions';
import {
  checkoutCosts,
  listingCosts,
  type PathCost,
  purchases,
  reconciliationCosts,
  snapshotCost,
  webhookCosts,
} from './request-costs/paths';
import { sleep } from './support';

export { PURCHASES, REPEATS } from './request-costs/paths';
export type { PathCost } from './request-costs/paths';

export interface RequestCosts {
  readonly paths: readonly PathCost[];
  /** Webhook deliveries a purchase makes, by purchase kind and event type (handled types). */
  readonly eventsPerPurchase: ReadonlyMap<string, number>;
}

/**
 * What each main path costs per request, counted at every dependency: the functions built
 * as Lambda builds them over the local stack, one request at a time. The sandbox's rate
 * limits are lifted meanwhile (this counts calls; it does not load Stripe).
 */
export async function measureRequestCosts(stack: LocalStack): Promise<RequestCosts> {
  const fns = await meteredFunctions(stack);
  await setSandboxRateLimits(stack, { enabled: false });
  try {
    const checkout = await checkoutCosts(stack, fns);
    const listing = await listingCosts(fns);
    const deliveredSince = new Date();
    await sleep(1_100); // Stripe's `created` has second resolution.
    const bought = await purchases(stack, fns, `delivered-${Date.now().toString(36)}`);
    const webhook = await webhookCosts(fns, bought.events);
    const reconciliation = await reconciliationCosts(stack, fns, deliveredSince);
    const snapshot = await snapshotCost(fns);
    return {
      paths: [...checkout, ...listing, ...webhook, ...reconciliation, snapshot],
      eventsPerPurchase: bought.perPurchase,
    };
  } finally {
    await setSandboxRateLimits(stack, { enabled: true });
    await fns.close();
  }
}
