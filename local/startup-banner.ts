import type { StripeSandbox } from 'stripe-sandbox';
import { LISTING_FRESHNESS } from '../lambda/domain/price-listing';
import { ROUTES } from '../lambda/shared/routes';
import type { SecretId } from '../lambda/shared/secrets';
import {
  DATA_DIR_OPTION,
  DEFAULT_LOCAL_PORTS,
  LOCAL_SECRET_DEFAULTS,
  type LocalConfig,
  type LocalPorts,
  PORT_ENV_VARS,
  SECRET_ENV_VARS,
} from './config';
import { LOCAL_ROUTES } from './local-routes';
import type { LocalStack } from './local-stack';
import { LOCAL_EVENT_BRIDGE_ROUTES, type LocalEventBridge } from './stack/event-bridge';

/** What the banner tells of a running stack. */
export type BannerStack = Pick<
  LocalStack,
  'apiUrl' | 'endpoints' | 'names' | 'billingEventsTopicArn'
> & {
  readonly stripeSandbox: Pick<StripeSandbox, 'port'> | undefined;
  readonly eventBridge: Pick<LocalEventBridge, 'source' | 'account'>;
};

/**
 * What `npm start` prints once the stack is up: where everything is, which Stripe it talks
 * to, the secrets and where they came from (`env`), and commands that paste as they are.
 */
export function startupBanner(
  stack: BannerStack,
  config: Pick<LocalConfig, 'dataDir'>,
  env: NodeJS.ProcessEnv,
): string {
  const api = stack.apiUrl;
  const webhookUrl = `${api}${ROUTES.stripeWebhook.path}`;
  const sandbox = stack.stripeSandbox;
  const stripe = describeStripe(sandbox?.port, webhookUrl);
  const ports = commandPortVariables(stack);
  const register = sandbox
    ? `\n  ${ports}npm run stripe:webhook -- --url ${webhookUrl}   # register the endpoint with the sandbox`
    : '';
  return `
Stripe service running locally, with ${stripe.mode}

  Demo storefront          ${api}/   (buy a price, pay on ${sandbox ? "the sandbox's checkout page" : "Stripe's test-mode checkout"}, see the billing events)
  API                      ${api}
  DynamoDB Local           ${stack.endpoints.dynamodb}   (${describeDynamoData(config)}; tables: ${tableList(stack.names)}; the price listing's snapshot is rebuilt every ${String(LISTING_FRESHNESS.refreshSeconds)} s)
  SNS/SQS emulator         ${stack.endpoints.sns}   (topic: ${stack.billingEventsTopicArn})
  EventBridge stand-in     POST ${api}${LOCAL_EVENT_BRIDGE_ROUTES.events}   (Stripe's events in EventBridge's shape from ${stack.eventBridge.source}, account ${stack.eventBridge.account}; failures: ${api}${LOCAL_EVENT_BRIDGE_ROUTES.deadLetters})
${stripe.line}

Secrets (set these variables to override):
${secretLines(env)}

Try it (each line pastes as it is; the API is at ${api}):
  curl ${api}${ROUTES.listPrices.path}
  TOKEN=$(curl -s '${api}${LOCAL_ROUTES.token}?userId=user-1&email=ada@example.com' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
  curl -X POST ${api}${ROUTES.createCheckoutSession.path} -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
       -d '{"priceId":"price-typescript-course","successUrl":"${api}/success?session_id={CHECKOUT_SESSION_ID}","cancelUrl":"${api}/"}'
  curl ${api}${LOCAL_ROUTES.billingEvents}
  curl ${api}${LOCAL_ROUTES.parkedEvents}      # events that could not become billing events

Operations against this local stack (see RUNBOOK.md${sandbox ? '' : `; with the same ${SECRET_ENV_VARS.stripeSecretKey} set`}):
  ${ports}npm run replay                                  # reconcile: publish what was never delivered
  ${ports}npm run replay -- --event evt_...               # retry one (parked) event${register}

${stripe.help}

Press Ctrl-C to stop.
`;
}

/**
 * Which Stripe this is, which must be unmistakable (real test mode creates real test
 * objects): the sandbox on `sandboxPort`, or real Stripe when there is none.
 */
function describeStripe(
  sandboxPort: number | undefined,
  webhookUrl: string,
): { readonly mode: string; readonly line: string; readonly help: string } {
  const keyVariable = SECRET_ENV_VARS.stripeSecretKey;
  if (sandboxPort === undefined) {
    const mode = 'real Stripe test mode (api.stripe.com)';
    return {
      mode,
      line: `  Stripe                   ${mode}, with the ${keyVariable} from the environment; no sandbox started (unset ${keyVariable} to use it)`,
      help: `Stripe cannot reach this machine: forward its test-mode webhooks here with the Stripe CLI
(and start again with the whsec_ it prints as ${SECRET_ENV_VARS.stripeWebhookSecret}):
  stripe listen --forward-to ${webhookUrl}`,
    };
  }
  const mode = `the local Stripe sandbox on port ${String(sandboxPort)}`;
  const sandboxUrl = `http://localhost:${String(sandboxPort)}`;
  return {
    mode,
    line: `  Stripe                   ${mode}: ${sandboxUrl}   (offline; events signed with ${SECRET_ENV_VARS.stripeWebhookSecret}, delivered to ${webhookUrl})`,
    help: `The Stripe sandbox (stripe-node: new Stripe(key, { host: 'localhost', port: ${String(sandboxPort)}, protocol: 'http' })):
  curl -u ${LOCAL_SECRET_DEFAULTS.stripeSecretKey}: ${sandboxUrl}/v1/customers -d email=ada@example.com
  open a Checkout Session's url to pay, decline or require 3-D Secure; test controls under ${sandboxUrl}/_sandbox/
  curl '${sandboxUrl}/_sandbox/deliveries'      # every webhook delivery and its status`,
  };
}

/** Each secret's variable, and whether its value came from the environment or the default. */
function secretLines(env: NodeJS.ProcessEnv): string {
  return (Object.keys(SECRET_ENV_VARS) as SecretId[])
    .map((id) => {
      const source = env[SECRET_ENV_VARS[id]]
        ? 'from the environment'
        : `default ${LOCAL_SECRET_DEFAULTS[id]}`;
      return `  ${SECRET_ENV_VARS[id].padEnd(24)} ${source}`;
    })
    .join('\n');
}

const describeDynamoData = (config: Pick<LocalConfig, 'dataDir'>): string =>
  config.dataDir
    ? `data kept in ${config.dataDir} across restarts`
    : `in memory: start with ${DATA_DIR_OPTION} <dir> to keep it`;

const tableList = (names: BannerStack['names']): string =>
  [
    names.customersTable,
    names.eventLedgerTable,
    names.catalogSyncTable,
    names.parkedEventsTable,
    names.catalogSnapshotTable,
    names.productsTable,
    names.pricesTable,
  ].join(', ');

/**
 * The commands find this stack through the same port variables as `npm start`: the ones
 * moved off their defaults, as `PORT=3917 ` and the like (empty when none is).
 */
function commandPortVariables(stack: BannerStack): string {
  const portOf = (url: string): number => Number(new URL(url).port);
  const actual: LocalPorts = {
    api: portOf(stack.apiUrl),
    dynamodb: portOf(stack.endpoints.dynamodb),
    sns: portOf(stack.endpoints.sns),
    stripeSandbox: stack.stripeSandbox?.port ?? DEFAULT_LOCAL_PORTS.stripeSandbox,
  };
  return (Object.keys(PORT_ENV_VARS) as (keyof LocalPorts)[])
    .filter((name) => actual[name] !== DEFAULT_LOCAL_PORTS[name])
    .map((name) => `${PORT_ENV_VARS[name]}=${String(actual[name])} `)
    .join('');
}
