import {
  CommandFailedError,
  describeError,
  EXIT,
  HelpRequested,
  type Output,
  parseOptions,
  UsageError,
} from './cli';
import type { Target } from './target';
import { TARGET_OPTIONS, type TargetOptions, targetOptions, targetCommand } from './targets';
import { registerWebhookEndpoint, type RegistrationResult } from './webhook-registration';

export const WEBHOOK_USAGE = `Usage: npm run stripe:webhook -- [--env <dev|staging|prod>] --url <webhook url> [--store] [--roll] [--json]

Creates or updates the Stripe webhook endpoint of the service: exactly the event types the
service handles, the service's pinned Stripe API version. Running it again changes nothing
(one endpoint, found by its metadata or its URL).

  --url <url>     the service's webhook URL (the stack's WebhookUrl output)
  (no --env)      against the local stack's Stripe (the sandbox, or STRIPE_SECRET_KEY)
  --env <name>    with the deployed environment's Stripe key (Secrets Manager)
  --context k=v   CDK context as given to cdk deploy (with --env; repeatable)
  --store         store the new endpoint's signing secret into the webhook secret
                  (Stripe returns it only when it creates an endpoint)
  --roll          create a new endpoint (a new signing secret) and delete the old one;
                  with --store the secret then holds the new and the previous signing
                  secrets, so deliveries of both verify until you trim it
  --json          print the result as JSON (never the secret with --env)`;

export interface WebhookArguments extends TargetOptions {
  readonly url: string;
  readonly store: boolean;
  readonly roll: boolean;
  readonly json: boolean;
}

export function parseWebhookArguments(argv: readonly string[]): WebhookArguments {
  const values = parseOptions(argv, {
    ...TARGET_OPTIONS,
    url: { type: 'string' },
    store: { type: 'boolean' },
    roll: { type: 'boolean' },
  });
  if (values.help === true) throw new HelpRequested();
  if (values.url === undefined) throw new UsageError('--url is required.');
  if (!URL.canParse(values.url) || !/^https?:$/.test(new URL(values.url).protocol)) {
    throw new UsageError(`--url must be an absolute http(s) URL (got "${values.url}").`);
  }
  if (values.env !== undefined && new URL(values.url).protocol !== 'https:') {
    throw new UsageError('--url must use https for a deployed environment.');
  }
  if (values.env !== undefined && values.roll === true && values.store !== true) {
    // The new endpoint's secret would exist nowhere the webhook reads: every delivery of
    // the new endpoint would be rejected until someone stored it by hand.
    throw new UsageError('--roll needs --store with --env: the webhook must get the new secret.');
  }
  return {
    ...targetOptions(values),
    url: values.url,
    store: values.store === true,
    roll: values.roll === true,
    json: values.json === true,
  };
}

/** `npm run stripe:webhook`: returns the exit code. */
export const webhookCommand = targetCommand(parseWebhookArguments, async (args, target, output) => {
  const stripe = await target.stripe.client();
  const result = await registerWebhookEndpoint(stripe, {
    url: args.url,
    serviceName: target.serviceName,
    roll: args.roll,
  });
  const secretNote = await handleSecret(target, result, args);
  if (args.json) {
    const { secret, ...rest } = result;
    output.out(
      JSON.stringify(
        { ...rest, ...(secret !== undefined && target.local ? { secret } : {}), ...secretNote },
        null,
        2,
      ),
    );
  } else {
    printResult(output, target, result, secretNote);
  }
  return EXIT.ok;
});

interface SecretNote {
  /** Stored into the webhook secret (what it holds now, as a count). */
  readonly stored?: { readonly where: string; readonly secrets: number };
  /** What to do with the secret, when it was not stored. */
  readonly advice?: string;
}

async function handleSecret(
  target: Target,
  result: RegistrationResult,
  args: WebhookArguments,
): Promise<SecretNote> {
  const store = target.webhookSecret;
  if (result.secret === undefined) {
    return args.store
      ? {
          advice:
            'Stripe returns a signing secret only when it creates an endpoint, so the stored ' +
            `secret (${store.description}) was left as it is. To issue and store a new one: --roll --store.`,
        }
      : {};
  }
  if (!store.writable) {
    const current = (await store.read()) ?? [];
    const keep = args.roll
      ? [result.secret, ...current.filter((s) => s !== result.secret)]
      : [result.secret];
    return {
      advice:
        `Locally the webhook secret is ${store.description}; this command cannot change it. ` +
        `Deliveries to ${result.endpoint.url} are signed with the secret above: to verify them, ` +
        `restart npm start with STRIPE_WEBHOOK_SECRET=${keep.join(',')}`,
    };
  }
  if (!args.store) {
    return {
      advice:
        `The signing secret was not stored: the webhook (${store.description}) cannot verify ` +
        "this endpoint's deliveries until it holds it. Copy it from the Stripe Dashboard " +
        '(Developers > Webhooks), or run again with --roll --store.',
    };
  }
  const previous = result.action === 'rolled' ? ((await store.read()) ?? []) : [];
  const secrets = [result.secret, ...previous.filter((s) => s !== result.secret)];
  try {
    await store.write(secrets);
  } catch (error) {
    throw new CommandFailedError(
      `Endpoint ${result.endpoint.id} was ${result.action}, but its signing secret could not be ` +
        `stored into ${store.description}: ${describeError(error)}. Fix that and run again with --roll --store.`,
    );
  }
  return { stored: { where: store.description, secrets: secrets.length } };
}

function printResult(
  output: Output,
  target: Target,
  result: RegistrationResult,
  note: SecretNote,
): void {
  const { endpoint } = result;
  output.out(`Stripe webhook endpoint of ${target.description}, at ${target.stripeDescription}:`);
  output.out(`  ${result.action.padEnd(11)} ${endpoint.id}  ${endpoint.url}`);
  output.out(
    `  events      ${endpoint.enabledEvents.length}: ${endpoint.enabledEvents.join(', ')}`,
  );
  output.out(`  api version ${endpoint.apiVersion ?? "(the account's default)"}`);
  output.out(`  status      ${endpoint.status}`);
  for (const id of result.deleted) output.out(`  deleted     ${id}`);
  if (result.secret !== undefined && target.local) output.out(`Signing secret: ${result.secret}`);
  if (note.stored !== undefined) {
    output.out(
      `Signing secret stored into ${note.stored.where}` +
        (note.stored.secrets > 1
          ? ` (it holds ${note.stored.secrets} signing secrets, the new one first: remove the old ones once the old endpoint's deliveries are done).`
          : '.'),
    );
  }
  if (note.advice !== undefined) output.out(note.advice);
}
