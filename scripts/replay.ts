/**
 * `npm run replay -- [--env <env>] [--since <ISO time>] [--event evt_...]`: the
 * reconciliation by hand (contract section 8). See scripts/lib/replay-command.ts.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { exitWhenDone, runCommand } from './lib/cli';
import { REPLAY_USAGE, replayCommand } from './lib/replay-command';

void runCommand(() => replayCommand(process.argv.slice(2)), REPLAY_USAGE).then(exitWhenDone);
