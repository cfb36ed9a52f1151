import type { StripeClientProvider } from '../../lambda/adapters/stripe-client-provider';
import type { ReconcileInfrastructure } from '../../lambda/reconcile/composition-root';
import type { ReconcileConfig } from '../../lambda/reconcile/config';

/**
 * Where the webhook's signing secrets live, as the registration command sees it: a secret
 * in Secrets Manager (`--env`), or the local environment variable (which it cannot write).
 */
export interface WebhookSecretStore {
  /** Where it is, for messages: a secret's name (and field), or the variable. */
  readonly description: string;
  /** Can `write` store into it (false locally: the value is an environment variable). */
  readonly writable: boolean;
  /** The signing secrets held now; undefined when there is no usable value. */
  read(): Promise<string[] | undefined>;
  /** Replaces the signing secrets (comma-separated, in the shape the secret already has). */
  write(secrets: readonly string[]): Promise<void>;
}

/** What the commands act on: the local stack, or a deployed environment. */
export interface Target {
  readonly local: boolean;
  /** For the first line of output: what the command acts on. */
  readonly description: string;
  /** The stack's name: the webhook endpoint's metadata marks it as this service's. */
  readonly serviceName: string;
  /** The stripe SDK with the target's key (its budget and pinned API version). */
  readonly stripe: StripeClientProvider;
  /** Where Stripe is: the sandbox's URL locally, Stripe itself otherwise. */
  readonly stripeDescription: string;
  readonly webhookSecret: WebhookSecretStore;
  /** The reconciliation's configuration and clients (checks that the resources exist). */
  reconciliation(): Promise<{ config: ReconcileConfig; infrastructure: ReconcileInfrastructure }>;
  /** Closes the clients' connections. */
  close(): void;
}
