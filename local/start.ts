/**
 * `npm start`: the whole service on this machine, offline. Ctrl-C stops everything.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { type LocalConfig, loadLocalConfig, SECRET_ENV_VARS } from './config';
import { type LocalStack, startLocalStack } from './local-stack';
import { PortInUseError } from './services/ports';
import { startupBanner } from './startup-banner';
import { checkStripeConnection, connectionFailureMessage } from './stripe-connection-check';

async function main(): Promise<void> {
  const config = loadLocalConfig(process.env, process.argv.slice(2));
  // Before anything starts: with real Stripe, a dead link or a bad key is said here, once,
  // instead of as a 502 at the first checkout.
  if (config.stripe === 'test-mode')
    await assertRealStripeReachable(config.secrets.stripeSecretKey);
  const shutdown = stopOnSignals();
  console.log('Starting the Stripe service locally ...');
  const stack = await startOrExplainBusyPorts(config);
  if (!shutdown.started(stack)) return;
  exitWhenAServiceDies(stack, shutdown);
  console.log(startupBanner(stack, config, process.env));
}

/** Stops the stack (once it is up) on a signal or when orphaned. */
interface Shutdown {
  /** The stack is up: false when a stop was asked for while it started (it stops now). */
  started(stack: LocalStack): boolean;
  /** A service died: the stack stops itself, so a signal now has nothing left to stop. */
  markStopping(): void;
}

/**
 * Listening before anything starts: a signal while starting (Ctrl-C, or `npm run dev`
 * restarting on a change) stops the stack once it is up. Dying at once would leave
 * DynamoDB Local and the emulator behind, holding their ports.
 */
function stopOnSignals(): Shutdown {
  let stack: LocalStack | undefined;
  let requested = false;
  const stop = (reason: string) => {
    if (requested) return;
    requested = true;
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
  return {
    started: (running) => {
      stack = running;
      if (requested) stopAndExit(running);
      return !requested;
    },
    markStopping: () => {
      requested = true;
    },
  };
}

/** The stack, its Stripe sandbox logging through this process; busy ports said plainly. */
async function startOrExplainBusyPorts(config: LocalConfig): Promise<LocalStack> {
  try {
    return await startLocalStack({
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
}

/** A service the stack started died: the stack has stopped itself; say which, and exit. */
function exitWhenAServiceDies(stack: LocalStack, shutdown: Shutdown): void {
  void stack.failed.then(
    (death) => {
      shutdown.markStopping();
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
