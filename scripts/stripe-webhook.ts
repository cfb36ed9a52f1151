/**
 * `npm run stripe:webhook -- [--env <env>] --url <webhook url> [--store] [--roll]`: registers
 * the service's Stripe webhook endpoint (contract section 8). See scripts/lib/webhook-command.ts.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { exitWhenDone, runCommand } from './lib/cli';
import { WEBHOOK_USAGE, webhookCommand } from './lib/webhook-command';

void runCommand(() => webhookCommand(process.argv.slice(2)), WEBHOOK_USAGE).then(exitWhenDone);
