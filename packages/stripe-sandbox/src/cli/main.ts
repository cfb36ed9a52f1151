import { postEnvelopesTo } from '../delivery/event-destinations';
import { DEFAULT_DELIVERY_TIMEOUT_MS } from '../server/options';
import { startStripeSandbox, type StripeSandbox } from '../server/server';
import { type CliOptions, parseCliArgs, USAGE } from './args';

/** `stripe-sandbox [--port n] [--webhook-url url] ...`: runs a sandbox until Ctrl-C. */

/** Starts the sandbox the flags describe; a failure is said on stderr, exit code 1. */
async function start(options: CliOptions): Promise<StripeSandbox | undefined> {
  try {
    return await startStripeSandbox({
      port: options.port,
      webhookSecret: options.webhookSecret,
      webhookEndpoints: options.webhookUrls,
      apiVersion: options.apiVersion,
      ...(options.rateLimits ? {} : { rateLimits: false }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.eventBridgeUrl === undefined
        ? {}
        : {
            eventBridgeDelivery: postEnvelopesTo(
              options.eventBridgeUrl,
              DEFAULT_DELIVERY_TIMEOUT_MS,
            ),
          }),
      log: (line) => {
        console.log(line);
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      code === 'EADDRINUSE'
        ? `stripe-sandbox: port ${options.port} is in use; pick another with --port`
        : `stripe-sandbox: ${(error as Error).message}`,
    );
    process.exitCode = 1;
    return undefined;
  }
}

/** The first lines: where it listens, how to point a client at it, what it keeps. */
function banner(sandbox: StripeSandbox, options: CliOptions): string {
  const { url, port } = sandbox;
  const kept =
    sandbox.dataDir === undefined
      ? 'in memory (--data-dir <dir> keeps it across restarts)'
      : `kept in ${sandbox.dataDir} (${sandbox.restored ? 'loaded from an earlier run' : 'new'})`;
  const webhooks =
    options.webhookUrls.length === 0
      ? 'none yet (create one: POST /v1/webhook_endpoints, or restart with --webhook-url)'
      : `${options.webhookUrls.join(', ')} (signed with ${options.webhookSecret})`;
  return `Stripe sandbox listening on ${url} (API version ${sandbox.apiVersion})
  stripe-node   new Stripe('sk_test_...', { host: '127.0.0.1', port: ${port}, protocol: 'http' })
  Stripe CLI    stripe customers list --api-base ${url} --api-key sk_test_sandbox
  curl          curl -u sk_test_sandbox: ${url}/v1/customers
  webhooks      ${webhooks}
  eventbridge   ${options.eventBridgeUrl ?? 'none (--eventbridge-url <url> delivers amazon_eventbridge destinations)'}
  state         ${kept}
  rate limits   ${options.rateLimits ? "Stripe's test mode: 25 requests/s overall and per endpoint, 429 beyond (--no-rate-limits lifts them)" : 'lifted (--no-rate-limits)'}
  controls      ${url}/_sandbox/ (deliveries, chaos, clock, faults, rate-limits, reset: see the README)
Ctrl-C stops it.`;
}

/** Ctrl-C (or SIGTERM) stops the sandbox, saving its state; a second one does not wait. */
function stopOnSignals(sandbox: StripeSandbox): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1); // a second Ctrl-C: do not wait
    stopping = true;
    sandbox.stop().then(
      () => {
        console.log('Stripe sandbox stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`stripe-sandbox: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(): Promise<void> {
  const options = parseCliArgs(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  if ('error' in options) {
    console.error(`stripe-sandbox: ${options.error}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const sandbox = await start(options);
  if (!sandbox) return;
  console.log(banner(sandbox, options));
  stopOnSignals(sandbox);
}

void main();
