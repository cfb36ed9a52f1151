import { execFile } from 'node:child_process';
import type Stripe from 'stripe';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../../lambda/stripe-events/billing-event-mapping';
import type { LocalStack } from '../../../local/local-stack';
import {
  billingEventsOf,
  buy,
  customerOf,
  deliveriesSettled,
  eventsOfCustomer,
  stripeFor,
  swallowDeliveries,
} from '../../support/reconciliation';
import {
  commandEnvironment,
  postToWebhook,
  startTestStack,
  uniqueProjectName,
} from '../../support/test-stack';
import type { ReconciliationReport } from '../../../lambda/reconcile/use-cases/reconciliation-report';
import { PROJECT_ROOT } from '../../support/project-root';

jest.setTimeout(120_000);

/**
 * `npm run replay` as an operator runs it: a separate process against a running local
 * stack, found through the same variables `npm start` reads (ports, PROJECT_NAME).
 */
const ROOT = PROJECT_ROOT;
const HANDLED: readonly string[] = HANDLED_STRIPE_EVENT_TYPES;
let stack: LocalStack;
let stripe: Stripe;
let cliEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  const projectName = uniqueProjectName('replay');
  stack = await startTestStack({ projectName });
  stripe = stripeFor(stack);
  cliEnv = commandEnvironment(stack, projectName);
});
afterAll(async () => {
  await stack.stop();
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function replay(args: string[], env: NodeJS.ProcessEnv = cliEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/replay.ts', ...args],
      { cwd: ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function missed(userId: string, priceId?: string) {
  const swallow = await swallowDeliveries(stack, stripe, 'wrong-endpoint');
  const session = await buy(stack, userId, priceId);
  await swallow.restore();
  return (await eventsOfCustomer(stripe, await customerOf(stripe, session))).filter((e) =>
    HANDLED.includes(e.type),
  );
}

const COUNTS_LINE =
  /^scanned (\d+), already processed (\d+), published (\d+), parked (\d+), superseded (\d+), ignored (\d+), in progress (\d+), failed (\d+)$/m;

function counts(stdout: string) {
  const match = COUNTS_LINE.exec(stdout);
  if (!match) throw new Error(`No counts line in:\n${stdout}`);
  const [scanned, alreadyProcessed, published, parked, superseded] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return { scanned, alreadyProcessed, published, parked, superseded };
}

describe('npm run replay against the running local stack', () => {
  it('publishes what a wrong endpoint swallowed, prints each and the counts; a second run publishes nothing', async () => {
    const user = 'cli-swallowed';
    const events = await missed(user);
    expect(await billingEventsOf(stack, user)).toEqual([]);

    const first = await replay([]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`project ${cliEnv.PROJECT_NAME ?? ''}`);
    for (const event of events) {
      expect(first.stdout).toMatch(
        new RegExp(`^  published +${event.id}  ${event.type}  -> `, 'm'),
      );
    }
    expect(counts(first.stdout)).toMatchObject({ published: events.length });
    expect(first.stdout).toMatch(/^Cursor saved: \d{4}-/m);
    expect((await billingEventsOf(stack, user)).map((m) => m.stripeEventId).sort()).toEqual(
      events.map((e) => e.id).sort(),
    );

    const second = await replay([]);
    expect(second.code).toBe(0);
    expect(counts(second.stdout)).toMatchObject({ published: 0 });
    expect(counts(second.stdout).alreadyProcessed).toBeGreaterThanOrEqual(events.length);
    expect(await billingEventsOf(stack, user)).toHaveLength(events.length);
  });

  it('--json prints the report; --since walks from a given time', async () => {
    const run = await replay(['--json', '--since', new Date(Date.now() - 3_600_000).toISOString()]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ReconciliationReport;
    expect(report).toMatchObject({ succeeded: true, counts: { published: 0, failed: 0 } });
    expect(report.counts.scanned).toBeGreaterThan(0);
  });

  it('--event retries a parked event and unparks it', async () => {
    const user = 'cli-parked';
    const events = await missed(user, 'price-pro-monthly');
    const created = events.find((e) => e.type === 'customer.subscription.created');
    if (!created) throw new Error('no customer.subscription.created event');
    const broken = structuredClone(created) as unknown as {
      data: { object: Record<string, unknown> };
    };
    delete broken.data.object.items;
    const delivered = await postToWebhook(stack, broken);
    expect(await delivered.json()).toMatchObject({ parked: true });

    const run = await replay(['--event', created.id]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Event ${created.id} (customer.subscription.created)`);
    expect(run.stdout).toContain(`published -> ${created.id}:subscription.created`);
    expect(run.stdout).toContain('unparked');
    const parked = (await (await fetch(`${stack.apiUrl}/_local/parked-events`)).json()) as {
      events: { eventId: string }[];
    };
    expect(parked.events.map((e) => e.eventId)).not.toContain(created.id);
  });

  it('--event with an id Stripe does not have fails clearly (exit 1)', async () => {
    const run = await replay(['--event', 'evt_doesNotExist42']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Stripe has no event evt_doesNotExist42');
  });

  it('a usage mistake says what is wrong and how to call it (exit 2)', async () => {
    const bad = await replay(['--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since must be an ISO 8601 time');
    expect(bad.stderr).toContain('Usage: npm run replay');
    const both = await replay(['--since', '2025-01-01T00:00:00Z', '--event', 'evt_1']);
    expect(both.code).toBe(2);
    const unknown = await replay(['--evnt', 'evt_1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--evnt'");
  });

  it('--subscription checks one subscription and says what it found', async () => {
    const run = await replay(['--subscription', 'sub_neverPublished42']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Subscription sub_neverPublished42: nothing was ever published about it',
    );
    const json = await replay(['--subscription', 'sub_neverPublished42', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      subscriptionId: 'sub_neverPublished42',
      outcome: 'not_published',
    });
  });

  it('says when the local stack is not running (exit 1)', async () => {
    const run = await replay([], { ...cliEnv, DYNAMODB_PORT: '9' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Cannot reach DynamoDB Local at http://127.0.0.1:9');
    expect(run.stderr).toContain('npm start');
  });

  it('prints the window first: from the saved cursor, minus the overlap', async () => {
    await deliveriesSettled(stack);
    const run = await replay([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Window: .+ \.\. .+$/m);
    expect(run.stdout).toMatch(/^ {2}\(from cursor \S+ minus 15 min overlap\)$/m);
    expect(run.stdout.indexOf('Window:')).toBeLessThan(run.stdout.indexOf('scanned'));
  });
});
