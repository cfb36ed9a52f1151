import { type StripeSandbox, startStripeSandbox } from 'stripe-sandbox';
import type { StripeConnection } from '../../lambda/adapters/stripe-sdk-gateway';
import { parseSecretList } from '../../lambda/core/secrets';
import { ROUTES } from '../../lambda/shared/routes';
import { STRIPE_API_VERSION } from '../../lambda/shared/stripe-api-version';
import type { LocalConfig } from '../config';
import type { Cleanup } from './cleanup';

/** The Stripe sandbox, unless a real test-mode key talks to Stripe itself. */
export async function startSandboxIfUsed(
  config: LocalConfig,
  log: ((line: string) => void) | undefined,
  cleanup: Cleanup,
): Promise<StripeSandbox | undefined> {
  if (config.stripe !== 'sandbox') return undefined;
  const sandbox = await startStripeSandbox({
    port: config.ports.stripeSandbox,
    apiVersion: STRIPE_API_VERSION,
    // The first signing secret signs, as Stripe signs with the endpoint's current one.
    webhookSecret:
      parseSecretList(config.secrets.stripeWebhookSecret, 'STRIPE_WEBHOOK_SECRET')[0] ?? '',
    ...(log ? { log } : {}),
  });
  cleanup.add(() => sandbox.stop());
  return sandbox;
}

/** Where the handlers reach Stripe: the sandbox, or Stripe itself (undefined). */
export const sandboxConnection = (
  sandbox: StripeSandbox | undefined,
): StripeConnection | undefined =>
  sandbox ? { host: '127.0.0.1', port: sandbox.port, protocol: 'http' } : undefined;

/** The sandbox delivers its events to the local API's webhook route. */
export function deliverSandboxEventsTo(sandbox: StripeSandbox | undefined, apiUrl: string): void {
  sandbox?.state.delivery.configure({ endpoints: [`${apiUrl}${ROUTES.stripeWebhook.path}`] });
}
