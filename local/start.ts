/**
 * `npm start`: the whole service on this machine, offline. Ctrl-C stops everything.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { LISTING_FRESHNESS } from '../lambda/domain/price-listing';
import { ROUTES } from '../lambda/shared/routes';
import {
  DATA_DIR_OPTION,
  DEFAULT_LOCAL_PORTS,
  LOCAL_SECRET_DEFAULTS,
  type LocalPorts,
  loadLocalConfig,
  PORT_ENV_VARS,
  SECRET_ENV_VARS,
} from './config';
import { LOCAL_ROUTES } from './local-routes';
import { type LocalStack, startLocalStack } from './local-stack';
import { PortInUseError } from './services/ports';
import { checkStripeConnection, connectionFailureMessage } from './stripe-connection-check';
import type { SecretId } from '../lambda/shared/secrets';
import { LOCAL_EVENT_BRIDGE_ROUTES } from './stack/event-bridge';

async function main(): Promise<void> {
  const config = loadLocalConfig(process.env, process.argv.slice(2));
  // Before anything starts: with real Stripe, a dead link or a bad key is said here, once,
  // instead of as a 502 at the first checkout.
  if (config.stripe === 'test-mode')
    await assertRealStripeReachable(config.secrets.stripeSecretKey);
  // Listening before anything starts: a signal while starting (Ctrl-C, or `npm run dev`
  // restarting on a change) stops the stack once it is up. Dying at once would leave
  // DynamoDB Local and the emulator behind, holding their ports.
  let stack: LocalStack | undefined;
  const shutdown = { requested: false };
  const stop = (reason: string) => {
    if (shutdown.requested) return;
    shutdown.requested = true;
    console.log(`\n${reason}: stopping the API, DynamoDB Local and the SNS/SQS emulator ...`);
    if (stack) stopAndExit(stack);
  };
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  // npm exits on SIGTERM without passing it on; a sandbox whose parent is gone would keep
  // its ports and child processes forever, so it stops itself when orphaned.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop('parent process exited');
  }, 1_000).unref();

  console.log('Starting the Stripe service locally ...');
  try {
    stack = await startLocalStack({
      config,
      sandboxLog: (line) => {
        console.log(`[stripe-sandbox] ${line}`);
      },
    });
  } catch (error) {
    if (error instanceof PortInUseError) {
      console.error(`\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (shutdown.requested) {
    stopAndExit(stack);
    return;
  }
  void stack.failed.then(
    (death) => {
      shutdown.requested = true;
      console.error(
        `\n${death.message}\n\nThe service cannot run without ${death.service}, so npm start ` +
          'stopped everything it started. Run npm start again.',
      );
      process.exit(1);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );

  const secretLines = (Object.keys(SECRET_ENV_VARS) as SecretId[])
    .map((id) => {
      const source = process.env[SECRET_ENV_VARS[id]]
        ? 'from the environment'
        : `default ${LOCAL_SECRET_DEFAULTS[id]}`;
      return `  ${SECRET_ENV_VARS[id].padEnd(24)} ${source}`;
    })
    .join('\n');
  const dynamoData = config.dataDir
    ? `data kept in ${config.dataDir} across restarts`
    : `in memory: start with ${DATA_DIR_OPTION} <dir> to keep it`;
  const api = stack.apiUrl;
  const webhookUrl = `${api}${ROUTES.stripeWebhook.path}`;
  const sandbox = stack.stripeSandbox;
  const keyVariable = SECRET_ENV_VARS.stripeSecretKey;
  // Which Stripe this is must be unmistakable: real test mode creates real test objects.
  const stripeMode = sandbox
    ? `the local Stripe sandbox on port ${String(sandbox.port)}`
    : 'real Stripe test mode (api.stripe.com)';
  const sandboxUrl = sandbox ? `http://localhost:${String(sandbox.port)}` : '';
  const stripeLine = sandbox
    ? `  Stripe                   ${stripeMode}: ${sandboxUrl}   (offline; events signed with ${SECRET_ENV_VARS.stripeWebhookSecret}, delivered to ${webhookUrl})`
    : `  Stripe                   ${stripeMode}, with the ${keyVariable} from the environment; no sandbox started (unset ${keyVariable} to use it)`;
  const stripeHelp = sandbox
    ? `The Stripe sandbox (stripe-node: new Stripe(key, { host: 'localhost', port: ${String(sandbox.port)}, protocol: 'http' })):
  curl -u ${LOCAL_SECRET_DEFAULTS.stripeSecretKey}: ${sandboxUrl}/v1/customers -d email=ada@example.com
  open a Checkout Session's url to pay, decline or require 3-D Secure; test controls under ${sandboxUrl}/_sandbox/
  curl '${sandboxUrl}/_sandbox/deliveries'      # every webhook delivery and its status`
    : `Stripe cannot reach this machine: forward its test-mode webhooks here with the Stripe CLI
(and start again with the whsec_ it prints as ${SECRET_ENV_VARS.stripeWebhookSecret}):
  stripe listen --forward-to ${webhookUrl}`;
  // The commands find this stack through the same port variables: give them the ones moved.
  const ports = portVariables({
    api: portOf(api),
    dynamodb: portOf(stack.endpoints.dynamodb),
    sns: portOf(stack.endpoints.sns),
    stripeSandbox: sandbox?.port ?? DEFAULT_LOCAL_PORTS.stripeSandbox,
  });
  const register = sandbox
    ? `\n  ${ports}npm run stripe:webhook -- --url ${webhookUrl}   # register the endpoint with the sandbox`
    : '';
  console.log(`
Stripe service running locally, with ${stripeMode}

  Demo storefront          ${api}/   (buy a price, pay on ${sandbox ? "the sandbox's checkout page" : "Stripe's test-mode checkout"}, see the billing events)
  API                      ${api}
  DynamoDB Local           ${stack.endpoints.dynamodb}   (${dynamoData}; tables: ${stack.names.customersTable}, ${stack.names.eventLedgerTable}, ${stack.names.catalogSyncTable}, ${stack.names.parkedEventsTable}, ${stack.names.catalogSnapshotTable}, ${stack.names.productsTable}, ${stack.names.pricesTable}; the price listing's snapshot is rebuilt every ${String(LISTING_FRESHNESS.refreshSeconds)} s)
  SNS/SQS emulator         ${stack.endpoints.sns}   (topic: ${stack.billingEventsTopicArn})
  EventBridge stand-in     POST ${api}${LOCAL_EVENT_BRIDGE_ROUTES.events}   (Stripe's events in EventBridge's shape from ${stack.eventBridge.source}, account ${stack.eventBridge.account}; failures: ${api}${LOCAL_EVENT_BRIDGE_ROUTES.deadLetters})
${stripeLine}

Secrets (set these variables to override):
${secretLines}

Try it (each line pastes as it is; the API is at ${api}):
  curl ${api}${ROUTES.listPrices.path}
  TOKEN=$(curl -s '${api}${LOCAL_ROUTES.token}?userId=user-1&email=ada@example.com' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
  curl -X POST ${api}${ROUTES.createCheckoutSession.path} -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
       -d '{"priceId":"price-typescript-course","successUrl":"${api}/success?session_id={CHECKOUT_SESSION_ID}","cancelUrl":"${api}/"}'
  curl ${api}${LOCAL_ROUTES.billingEvents}
  curl ${api}${LOCAL_ROUTES.parkedEvents}      # events that could not become billing events

Operations against this local stack (see RUNBOOK.md${sandbox ? '' : `; with the same ${keyVariable} set`}):
  ${ports}npm run replay                                  # reconcile: publish what was never delivered
  ${ports}npm run replay -- --event evt_...               # retry one (parked) event${register}

${stripeHelp}

Press Ctrl-C to stop.
`);
}

const portOf = (url: string): number => Number(new URL(url).port);

/** `PORT=3917 ` and the like for every port off its default; empty when none is. */
function portVariables(actual: LocalPorts): string {
  return (Object.keys(PORT_ENV_VARS) as (keyof LocalPorts)[])
    .filter((name) => actual[name] !== DEFAULT_LOCAL_PORTS[name])
    .map((name) => `${PORT_ENV_VARS[name]}=${String(actual[name])} `)
    .join('');
}

/**
 * A key other than the sandbox's means real Stripe: ask it once, and stop with what went
 * wrong (unreachable, key rejected, no answer) and the way back to the sandbox.
 */
async function assertRealStripeReachable(key: string): Promise<void> {
  const keyVariable = SECRET_ENV_VARS.stripeSecretKey;
  console.log(
    `${keyVariable} is not the sandbox's key: checking real Stripe test mode (api.stripe.com) ...`,
  );
  const result = await checkStripeConnection(key);
  if (result.ok) return;
  console.error(`\n${connectionFailureMessage(result, keyVariable)}\n`);
  process.exit(1);
}

function stopAndExit(stack: LocalStack): void {
  stack.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
