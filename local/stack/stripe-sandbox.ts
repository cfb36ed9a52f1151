import * as path from 'node:path';
import { hasSavedState, type StripeSandbox, startStripeSandbox } from 'stripe-sandbox';
import type { StripeConnection } from '../../lambda/adapters/stripe-sdk-gateway';
import { parseSecretList } from '../../lambda/core/secrets';
import { ROUTES } from '../../lambda/shared/routes';
import { STRIPE_API_VERSION } from '../../lambda/shared/stripe-api-version';
import type { LocalConfig } from '../config';
import type { Cleanup } from './cleanup';
import type { LocalEventBridge } from './event-bridge';

/**
 * Where the sandbox keeps its Stripe objects with `--data-dir`, beside DynamoDB Local's
 * tables: the Stripe ids the tables hold keep naming objects after a restart.
 */
const sandboxDataDir = (config: Pick<LocalConfig, 'dataDir'>): string | undefined =>
  config.dataDir === undefined ? undefined : path.join(config.dataDir, 'stripe-sandbox');

/**
 * Will the sandbox start with the Stripe objects of an earlier run? Asked before it starts.
 * Only then do the Stripe ids kept in the tables name something: a data directory from
 * before the sandbox kept its state, or whose sandbox state was deleted, holds ids of
 * objects that are gone.
 */
export function sandboxKeepsEarlierObjects(
  config: Pick<LocalConfig, 'dataDir' | 'stripe'>,
): boolean {
  const dir = sandboxDataDir(config);
  return config.stripe === 'sandbox' && dir !== undefined && hasSavedState(dir);
}

/** The Stripe sandbox, unless a real test-mode key talks to Stripe itself. */
export async function startSandboxIfUsed(
  config: LocalConfig,
  log: ((line: string) => void) | undefined,
  cleanup: Cleanup,
): Promise<StripeSandbox | undefined> {
  if (config.stripe !== 'sandbox') return undefined;
  const dataDir = sandboxDataDir(config);
  const sandbox = await startStripeSandbox({
    port: config.ports.stripeSandbox,
    ...(config.stripeRateLimits === false ? { rateLimits: false } : {}),
    apiVersion: STRIPE_API_VERSION,
    // The first signing secret signs, as Stripe signs with the endpoint's current one.
    webhookSecret:
      parseSecretList(config.secrets.stripeWebhookSecret, 'STRIPE_WEBHOOK_SECRET')[0] ?? '',
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(log ? { log } : {}),
  });
  cleanup.add(() => sandbox.stop());
  return sandbox;
}

/** How the handlers (and the commands) reach a sandbox listening on `port`. */
export const sandboxConnectionAt = (port: number): StripeConnection => ({
  host: '127.0.0.1',
  port,
  protocol: 'http',
});

/** Where the handlers reach Stripe: the sandbox, or Stripe itself (undefined). */
export const sandboxConnection = (
  sandbox: StripeSandbox | undefined,
): StripeConnection | undefined => (sandbox ? sandboxConnectionAt(sandbox.port) : undefined);

/** The sandbox delivers its events to the local API's webhook route. */
export function deliverSandboxEventsTo(sandbox: StripeSandbox | undefined, apiUrl: string): void {
  sandbox?.state.delivery.configure({ endpoints: [`${apiUrl}${ROUTES.stripeWebhook.path}`] });
}

/**
 * The sandbox's `amazon_eventbridge` event destinations put their events on the local
 * partner event bus. Stripe names each destination's partner event source after it
 * (`aws.partner/stripe.com/<destination id>`), and a stack is configured with one
 * (`eventBridgeSource`); locally the destination is created after the stack starts, so
 * every sandbox destination stands for the local stack's one source and account.
 */
export function deliverSandboxEventBridgeTo(
  sandbox: StripeSandbox | undefined,
  bus: Pick<LocalEventBridge, 'putEvents' | 'source' | 'account'>,
): void {
  sandbox?.state.delivery.configure({
    eventBridgeDelivery: (envelope) => {
      bus.putEvents([{ ...envelope, source: bus.source, account: bus.account }]);
      return Promise.resolve();
    },
  });
}
