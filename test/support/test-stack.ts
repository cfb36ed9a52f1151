import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { Logger } from '@aws-lambda-powertools/logger';
import { ROUTES } from '../../lambda/shared/routes';
import { LOCAL_SECRET_DEFAULTS, loadLocalConfig, type LocalConfig } from '../../local/config';
import { type LocalStack, startLocalStack } from '../../local/local-stack';
import { patientStripe } from './patient-stripe';
import { signatureFor } from './stripe-events';
import { serviceEndpoint } from './services';

/** A project name no other test file uses, so each file has tables and a topic of its own. */
export const uniqueProjectName = (prefix: string): string =>
  `${prefix}-${randomUUID().slice(0, 8)}`;

export const silentLogger = (): Logger => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

/** The local stack on the run's shared DynamoDB Local and emulator, its API on a free port. */
export async function startTestStack(overrides: Partial<LocalConfig> = {}): Promise<LocalStack> {
  const base = loadLocalConfig({});
  return startLocalStack({
    config: {
      ...base,
      projectName: uniqueProjectName('it'),
      ports: { ...base.ports, api: 0, stripeSandbox: 0 },
      // Stripe's rate limits stay on, as on a real sandbox: the tests' own Stripe client
      // waits them out (`patientStripe`); a test of concurrency that is not about them
      // lifts them by an override, saying why.
      // Off for the same reason: one user's setup requests would exceed a person's limit.
      // The limit's own tests (and the bad-input corpus) start a stack with one.
      userRateLimit: false,
      ...overrides,
    },
    endpoints: { dynamodb: serviceEndpoint('dynamodb'), sns: serviceEndpoint('sns') },
    logger: silentLogger(),
  });
}

/**
 * The environment of a command run against `stack` (`npm run replay`, `npm run
 * stripe:webhook` with no `--env`): its project name and ports, as `npm start` would have
 * them, and the local secrets' defaults (none of this process's secret variables).
 */
export function commandEnvironment(stack: LocalStack, projectName: string): NodeJS.ProcessEnv {
  if (!stack.stripeSandbox) throw new Error('the local stack started no Stripe sandbox');
  const {
    STRIPE_SECRET_KEY: _key,
    STRIPE_WEBHOOK_SECRET: _secret,
    JWT_ACCESS_TOKEN_SECRET: _jwt,
    ...inherited
  } = process.env;
  return {
    ...inherited,
    PROJECT_NAME: projectName,
    PORT: new URL(stack.apiUrl).port,
    DYNAMODB_PORT: new URL(stack.endpoints.dynamodb).port,
    SNS_PORT: new URL(stack.endpoints.sns).port,
    STRIPE_SANDBOX_PORT: String(stack.stripeSandbox.port),
  };
}

/**
 * The stripe SDK against a local stack's sandbox: no network retries (a failure shows at
 * once), but Stripe's rate limits waited out (`patientStripe`).
 */
export function sandboxStripe(stack: LocalStack, key = 'sk_test_sandbox'): Stripe {
  if (!stack.stripeSandbox) throw new Error('the local stack started no Stripe sandbox');
  return patientStripe(stack.stripeSandbox.port, key);
}

/** An access token for `userId` from the local stack's `/_local/token` helper. */
export async function localToken(stack: LocalStack, userId: string): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/_local/token?userId=${encodeURIComponent(userId)}`);
  return ((await response.json()) as { token: string }).token;
}

/** Either a success body or the contract's error body. */
export interface ApiBody {
  readonly [field: string]: unknown;
  readonly error: { readonly code: string; readonly message: string };
}

/** An authenticated request to the local stack's API, as `userId` (a token from `/_local/token`). */
export async function callApi(
  stack: LocalStack,
  method: string,
  path: string,
  userId: string,
  body?: unknown,
): Promise<{ status: number; body: ApiBody }> {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await localToken(stack, userId)}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as ApiBody };
}

/**
 * What a Stripe delivery to the local stack's webhook is: `body` as JSON, signed with the
 * local webhook secret as Stripe signs.
 */
export function postToWebhook(stack: LocalStack, body: unknown): Promise<Response> {
  const payload = JSON.stringify(body);
  return fetch(`${stack.apiUrl}${ROUTES.stripeWebhook.path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signatureFor(payload, LOCAL_SECRET_DEFAULTS.stripeWebhookSecret),
    },
    body: payload,
  });
}
