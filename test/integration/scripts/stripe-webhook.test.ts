import { execFile } from 'node:child_process';
import type Stripe from 'stripe';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../../lambda/stripe-events/billing-event-mapping';
import { ROUTES } from '../../../lambda/shared/routes';
import { STRIPE_API_VERSION } from '../../../lambda/shared/stripe-api-version';
import type { LocalStack } from '../../../local/local-stack';
import {
  ENDPOINT_OWNER_METADATA_KEY,
  registerWebhookEndpoint,
} from '../../../scripts/lib/webhook-registration';
import { buy, deliveriesSettled, stripeFor } from '../../support/reconciliation';
import { commandEnvironment, startTestStack, uniqueProjectName } from '../../support/test-stack';
import { PROJECT_ROOT } from '../../support/project-root';

jest.setTimeout(90_000);

/**
 * `npm run stripe:webhook` against the sandbox's `/v1/webhook_endpoints` (through
 * stripe-node): exactly the handled event types, the pinned API version, one endpoint
 * however often it runs.
 */
const ROOT = PROJECT_ROOT;
let stack: LocalStack;
let stripe: Stripe;
let projectName: string;
let cliEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  projectName = uniqueProjectName('hook');
  stack = await startTestStack({ projectName });
  stripe = stripeFor(stack);
  cliEnv = commandEnvironment(stack, projectName);
});
afterAll(async () => {
  await stack.stop();
});

function register(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/stripe-webhook.ts', ...args],
      { cwd: ROOT, env: cliEnv, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const serviceName = () => `${projectName}-local-stripe-service`;
const HANDLED_SORTED: readonly string[] = [...HANDLED_STRIPE_EVENT_TYPES].sort();

async function endpoints() {
  const all: Stripe.WebhookEndpoint[] = [];
  for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) all.push(endpoint);
  return all;
}
const ours = async () =>
  (await endpoints()).filter((e) => e.metadata[ENDPOINT_OWNER_METADATA_KEY] === serviceName());

describe('npm run stripe:webhook', () => {
  it('twice: one endpoint, with exactly the handled event types and the pinned API version', async () => {
    const url = 'http://127.0.0.1:9/registration/stripe/webhook';
    const first = await register(['--url', url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^ {2}created +we_\w+ {2}http:\/\/127\.0\.0\.1:9\/registration/m);
    expect(first.stdout).toContain(`api version ${STRIPE_API_VERSION}`);
    // Locally (test mode) the new endpoint's signing secret is shown.
    expect(first.stdout).toMatch(/^Signing secret: whsec_\w+$/m);

    const second = await register(['--url', url, '--store']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^ {2}unchanged /m);
    expect(second.stdout).toContain('only when it creates an endpoint');

    const registered = await ours();
    expect(registered).toHaveLength(1);
    expect(registered[0]).toMatchObject({
      url,
      api_version: STRIPE_API_VERSION,
      status: 'enabled',
    });
    expect([...(registered[0]?.enabled_events ?? [])].sort()).toEqual(HANDLED_SORTED);
    expect((await endpoints()).filter((e) => e.url === url)).toHaveLength(1);
  });

  it('says what is wrong with its arguments (exit 2)', async () => {
    const missing = await register([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--url is required');
    expect(missing.stderr).toContain('Usage: npm run stripe:webhook');
  });
});

describe('registering the endpoint', () => {
  it("finds the service's endpoint by its metadata when the URL changed, re-enables it, and removes duplicates at the URL", async () => {
    const oldUrl = 'http://127.0.0.1:9/old/stripe/webhook';
    const newUrl = 'http://127.0.0.1:9/new/stripe/webhook';
    const created = await registerWebhookEndpoint(stripe, {
      url: oldUrl,
      serviceName: 'svc-moving',
      roll: false,
    });
    await stripe.webhookEndpoints.update(created.endpoint.id, {
      disabled: true,
      enabled_events: ['customer.created'],
    });
    // Someone registered the new URL by hand too.
    const byHand = await stripe.webhookEndpoints.create({
      url: newUrl,
      enabled_events: ['*'],
    });

    const moved = await registerWebhookEndpoint(stripe, {
      url: newUrl,
      serviceName: 'svc-moving',
      roll: false,
    });
    expect(moved).toMatchObject({
      action: 'updated',
      endpoint: { id: created.endpoint.id, url: newUrl, status: 'enabled' },
      deleted: [byHand.id],
    });
    expect([...moved.endpoint.enabledEvents].sort()).toEqual(HANDLED_SORTED);
    expect((await endpoints()).filter((e) => e.url === newUrl || e.url === oldUrl)).toHaveLength(1);
  });

  it('adopts an endpoint created by hand at the URL', async () => {
    const url = 'http://127.0.0.1:9/by-hand/stripe/webhook';
    const byHand = await stripe.webhookEndpoints.create({
      url,
      enabled_events: ['*'],
      api_version: STRIPE_API_VERSION,
    });
    const adopted = await registerWebhookEndpoint(stripe, {
      url,
      serviceName: 'svc-adopting',
      roll: false,
    });
    expect(adopted).toMatchObject({ action: 'updated', endpoint: { id: byHand.id } });
    const endpoint = await stripe.webhookEndpoints.retrieve(byHand.id);
    expect(endpoint.metadata[ENDPOINT_OWNER_METADATA_KEY]).toBe('svc-adopting');
  });

  it('--roll: a new endpoint with a new signing secret; the old one is deleted', async () => {
    const url = 'http://127.0.0.1:9/rolling/stripe/webhook';
    const first = await registerWebhookEndpoint(stripe, {
      url,
      serviceName: 'svc-roll',
      roll: false,
    });
    const rolled = await registerWebhookEndpoint(stripe, {
      url,
      serviceName: 'svc-roll',
      roll: true,
    });
    expect(rolled.action).toBe('rolled');
    expect(rolled.endpoint.id).not.toBe(first.endpoint.id);
    expect(rolled.secret).toMatch(/^whsec_/);
    expect(rolled.secret).not.toBe(first.secret);
    expect(rolled.deleted).toEqual([first.endpoint.id]);
    expect((await endpoints()).filter((e) => e.url === url).map((e) => e.id)).toEqual([
      rolled.endpoint.id,
    ]);
  });

  it("the local stack's own endpoint, registered: its deliveries keep verifying, and only the handled types reach it", async () => {
    const url = `${stack.apiUrl}${ROUTES.stripeWebhook.path}`;
    // The other tests' endpoints point nowhere: their retries would only slow this one.
    for (const endpoint of await endpoints()) {
      if (endpoint.url.startsWith('http://127.0.0.1:9/')) {
        await stripe.webhookEndpoints.del(endpoint.id);
      }
    }
    const result = await registerWebhookEndpoint(stripe, {
      url,
      serviceName: serviceName(),
      roll: false,
    });
    // The service's endpoint (by metadata) moved to the stack's URL; the stack's own
    // endpoint there was a duplicate.
    expect((await endpoints()).filter((e) => e.url === url)).toHaveLength(1);
    expect(result.endpoint.url).toBe(url);

    const before = (await deliveriesSettled(stack)).length;
    await buy(stack, 'registration-buyer');
    const deliveries = (await deliveriesSettled(stack)).slice(before);
    const toService = deliveries.filter((d) => d.url === url);
    expect(toService.length).toBeGreaterThan(0);
    expect(toService.every((d) => d.status === 200)).toBe(true);
    const types = await Promise.all(
      toService.map(async (d) => (await stripe.events.retrieve(d.eventId)).type),
    );
    expect(types.every((type) => HANDLED_SORTED.includes(type))).toBe(true);
  });
});
