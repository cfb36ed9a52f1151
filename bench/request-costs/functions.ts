import { buildApiHandler } from '../../lambda/api/composition-root';
import { buildCatalogSnapshotRefresh } from '../../lambda/catalog/composition-root';
import type { RefreshReport } from '../../lambda/catalog/use-cases/refresh-catalog-snapshot';
import type { HttpHandler } from '../../lambda/core/http-handler';
import {
  DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS,
  SecretsManagerStore,
} from '../../lambda/core/secrets';
import { buildReconciler, type Reconciler } from '../../lambda/reconcile/composition-root';
import { ROUTES } from '../../lambda/shared/routes';
import type { SecretId } from '../../lambda/shared/secrets';
import { buildWebhookHandler } from '../../lambda/webhook/composition-root';
import { LOCAL_SECRET_DEFAULTS } from '../../local/config';
import { signAccessToken } from '../../local/dev-tokens';
import type { LocalStack } from '../../local/local-stack';
import { localReconcileConfig } from '../../scripts/lib/local-target';
import { apiEvent, lambdaContext } from '../../test/support/api-events';
import { CapturingLogger } from '../../test/support/log-capture';
import { SecretsManagerStandIn, standInClient } from '../../test/support/secrets-manager-stand-in';
import { webhookDelivery } from '../local-services';
import { Meter } from './meter';

/**
 * The service's functions as Lambda builds them, over the local stack, every client
 * counted by one `Meter`: DynamoDB and SNS through its clients, Stripe at the sandbox, and
 * Secrets Manager through a stand-in speaking its wire protocol, read through the
 * functions' own Powertools cache (its deployed age). Each `...Container()` is a new
 * container: its caches (secrets, the listing's head, the Stripe client) start empty.
 */
export interface MeteredFunctions {
  readonly meter: Meter;
  apiContainer(): HttpHandler;
  webhookContainer(): HttpHandler;
  reconciler(): Reconciler;
  snapshotPass(): () => Promise<RefreshReport>;
  close(): Promise<void>;
}

export async function meteredFunctions(stack: LocalStack): Promise<MeteredFunctions> {
  const sandbox = stack.stripeSandbox;
  if (!sandbox) throw new Error('the request-costs benchmark needs the Stripe sandbox');
  const secrets = new SecretsManagerStandIn();
  for (const id of Object.keys(stack.names.secrets) as SecretId[]) {
    secrets.values.set(stack.names.secrets[id], LOCAL_SECRET_DEFAULTS[id]);
  }
  const secretsClient = standInClient(await secrets.start());
  const meter = new Meter(stack, sandbox, () => secrets.fetches.length);
  const { stripeConnection } = stack.functions;
  const infrastructure = () => ({
    dynamo: meter.dynamo,
    secrets: new SecretsManagerStore(DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS, secretsClient),
    // The deployed level: what a request writes to CloudWatch Logs.
    logger: new CapturingLogger({ logLevel: 'INFO' }, meter.logLines),
    ...(stripeConnection ? { stripeConnection } : {}),
  });
  return {
    meter,
    apiContainer: () => buildApiHandler(stack.functions.api, infrastructure()),
    webhookContainer: () =>
      buildWebhookHandler(stack.functions.webhook, { ...infrastructure(), sns: meter.sns }),
    reconciler: () =>
      buildReconciler(localReconcileConfig(stack.names, stack.billingEventsTopicArn), {
        ...infrastructure(),
        sns: meter.sns,
      }),
    snapshotPass: () =>
      buildCatalogSnapshotRefresh(stack.functions.catalogSnapshot, {
        dynamo: meter.dynamo,
        logger: new CapturingLogger({ logLevel: 'INFO' }, meter.logLines),
      }),
    close: async () => {
      meter.close();
      secretsClient.destroy();
      await secrets.stop();
    },
  };
}

/** Answers a request through `handler`, failing on anything but `expected`. */
async function answer(
  handler: HttpHandler,
  event: Parameters<HttpHandler>[0],
  expected: number,
): Promise<string> {
  const response = await handler(event, lambdaContext());
  if (response.statusCode !== expected) {
    throw new Error(`expected ${expected}, answered ${response.statusCode}: ${response.body}`);
  }
  return response.body;
}

/** A signed-in buyer's checkout of `priceId`: the session's id. */
export async function checkoutThrough(
  api: HttpHandler,
  stack: LocalStack,
  userId: string,
  priceId: string,
): Promise<string> {
  const token = await signAccessToken({
    secret: LOCAL_SECRET_DEFAULTS.jwtAccessTokenSecret,
    subject: userId,
  });
  const body = await answer(
    api,
    apiEvent(ROUTES.createCheckoutSession, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        priceId,
        successUrl: `${stack.apiUrl}/success?session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${stack.apiUrl}/`,
      }),
    }),
    200,
  );
  return (JSON.parse(body) as { checkoutSessionId: string }).checkoutSessionId;
}

/** `GET /stripe/prices`, first page. */
export const listPrices = (api: HttpHandler): Promise<string> =>
  answer(api, apiEvent(ROUTES.listPrices), 200);

/** One signed delivery of `event` (a Stripe event as Stripe sends it). */
export const deliver = (webhook: HttpHandler, event: unknown): Promise<string> =>
  answer(webhook, webhookDelivery(JSON.stringify(event)), 200);
