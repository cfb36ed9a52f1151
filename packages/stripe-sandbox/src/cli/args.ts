import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_API_VERSION } from '../server/options';

/** The port Stripe's own stripe-mock listens on, and the local stack's default. */
const DEFAULT_PORT = 12111;
/** Signs the `--webhook-url` deliveries unless `--webhook-secret` says otherwise. */
const DEFAULT_WEBHOOK_SECRET = 'whsec_sandbox';

export const USAGE = `Usage: stripe-sandbox [options]

A stateful stand-in for Stripe's API on 127.0.0.1 (test mode; in memory unless --data-dir).

Options:
  --port <n>              where to listen (default ${DEFAULT_PORT}; 0 picks a free port)
  --webhook-url <url>     deliver every event to this URL (repeatable; endpoints can
                          also be created through POST /v1/webhook_endpoints)
  --webhook-secret <s>    signs the --webhook-url deliveries (default ${DEFAULT_WEBHOOK_SECRET})
  --api-version <v>       the Stripe API version it answers in (default ${DEFAULT_API_VERSION})
  --data-dir <dir>        keep the state in this directory across restarts (default: in
                          memory, nothing written)
  --eventbridge-url <url> POST the events of amazon_eventbridge event destinations (the
                          EventBridge event, as JSON) to this URL; non-2xx is retried
  --no-rate-limits        lift Stripe's test-mode rate limits (default: enforced, 25
                          requests a second overall and per endpoint, 429 beyond)
  -h, --help              this text`;

export interface CliOptions {
  readonly port: number;
  readonly webhookUrls: string[];
  readonly webhookSecret: string;
  readonly apiVersion: string;
  readonly dataDir: string | undefined;
  /** Where `amazon_eventbridge` destinations' envelopes are POSTed (none: they fail). */
  readonly eventBridgeUrl: string | undefined;
  /** Stripe's test-mode rate limits are enforced (not `--no-rate-limits`). */
  readonly rateLimits: boolean;
}

/** The command line, or a message saying what is wrong with it (`help` for --help). */
export function parseCliArgs(argv: readonly string[]): CliOptions | { error: string } | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        'webhook-url': { type: 'string', multiple: true },
        'webhook-secret': { type: 'string' },
        'api-version': { type: 'string' },
        'data-dir': { type: 'string' },
        'eventbridge-url': { type: 'string' },
        'no-rate-limits': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (values.help) return 'help';
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    return { error: `--port must be a port number (0 to 65535), not ${String(values.port)}` };
  const webhookUrls = values['webhook-url'] ?? [];
  const badUrl = webhookUrls.find((url) => !URL.canParse(url));
  if (badUrl !== undefined) return { error: `--webhook-url must be a URL, not ${badUrl}` };
  if (values['data-dir'] === '') return { error: '--data-dir needs a directory' };
  const eventBridgeUrl = values['eventbridge-url'];
  if (eventBridgeUrl !== undefined && !URL.canParse(eventBridgeUrl))
    return { error: `--eventbridge-url must be a URL, not ${eventBridgeUrl}` };
  return {
    port,
    webhookUrls,
    webhookSecret: values['webhook-secret'] ?? DEFAULT_WEBHOOK_SECRET,
    apiVersion: values['api-version'] ?? DEFAULT_API_VERSION,
    // Absolute, so the start line and any error say exactly where.
    dataDir: values['data-dir'] === undefined ? undefined : path.resolve(values['data-dir']),
    eventBridgeUrl,
    rateLimits: values['no-rate-limits'] !== true,
  };
}
