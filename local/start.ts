/**
 * `npm start`: the whole service on this machine, offline. Ctrl-C stops everything.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { LISTING_FRESHNESS } from '../lambda/domain/price-listing';
import { ROUTES } from '../lambda/shared/routes';
import { DATA_DIR_OPTION, LOCAL_SECRET_DEFAULTS, loadLocalConfig, SECRET_ENV_VARS } from './config';
import { LOCAL_ROUTES } from './local-routes';
import { type LocalStack, startLocalStack } from './local-stack';
import { PortInUseError } from './services/ports';
import type { SecretId } from '../lambda/shared/secrets';

async function main(): Promise<void> {
  const config = loadLocalConfig(process.env, process.argv.slice(2));
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
  const sandboxUrl = sandbox ? `http://localhost:${sandbox.port}` : '';
  const stripeLine = sandbox
    ? `  Stripe sandbox           ${sandboxUrl}   (events signed with STRIPE_WEBHOOK_SECRET, delivered to ${webhookUrl})`
    : '  Stripe                   real test mode (STRIPE_SECRET_KEY is an sk_test_ key); no sandbox started';
  const stripeHelp = sandbox
    ? `The Stripe sandbox (stripe-node: new Stripe(key, { host: 'localhost', port: ${sandbox.port}, protocol: 'http' })):
  curl -u sk_test_sandbox: ${sandboxUrl}/v1/customers -d email=ada@example.com
  open a Checkout Session's url to pay, decline or require 3-D Secure; test controls under ${sandboxUrl}/_sandbox/
  curl '${sandboxUrl}/_sandbox/deliveries'      # every webhook delivery and its status`
    : `Forward Stripe's test-mode webhooks here with:
  stripe listen --forward-to localhost:${config.ports.api}${ROUTES.stripeWebhook.path}`;
  console.log(`
Stripe service running locally

  Demo storefront          ${api}/   (buy a price, pay on the sandbox, see the billing events)
  API                      ${api}
  DynamoDB Local           ${stack.endpoints.dynamodb}   (${dynamoData}; tables: ${stack.names.customersTable}, ${stack.names.idempotencyTable}, ${stack.names.catalogSyncTable}, ${stack.names.parkedEventsTable}, ${stack.names.catalogSnapshotTable}, ${stack.names.productsTable}, ${stack.names.pricesTable}; the price listing's snapshot is rebuilt every ${LISTING_FRESHNESS.refreshSeconds} s)
  SNS/SQS emulator         ${stack.endpoints.sns}   (topic: ${stack.billingEventsTopicArn})
${stripeLine}${
    config.dataDir && sandbox
      ? "\n  (the sandbox's Stripe objects live in memory: a buyer whose customer is gone after a restart gets a new one at the next checkout)"
      : ''
  }

Secrets (set these variables to override):
${secretLines}

Try it:
  curl ${api}${ROUTES.listPrices.path}
  TOKEN=$(curl -s '${api}${LOCAL_ROUTES.token}?userId=user-1&email=ada@example.com' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
  curl -X POST ${api}${ROUTES.createCheckoutSession.path} -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
       -d '{"priceId":"price-typescript-course","successUrl":"${api}/success?session_id={CHECKOUT_SESSION_ID}","cancelUrl":"${api}/"}'
  curl ${api}${LOCAL_ROUTES.billingEvents}
  curl ${api}${LOCAL_ROUTES.parkedEvents}      # events that could not become billing events

Operations against this local stack (see RUNBOOK.md):
  npm run replay                                  # reconcile: publish what was never delivered
  npm run replay -- --event evt_...               # retry one (parked) event
  npm run stripe:webhook -- --url ${webhookUrl}   # register the endpoint with the sandbox

${stripeHelp}

Press Ctrl-C to stop.
`);
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
