import type { LocalStack } from '../local/local-stack';
import { LAUNCH, measureLaunchDay, type PhaseFigure, TEST_MODE_LIMIT } from './launch-day';
import { ALL_ENDPOINTS } from './launch-day/stripe-log';
import type { BenchServices } from './local-services';
import type { Out } from './report';
import { measureRequestCosts, PURCHASES, REPEATS } from './request-costs';
import type { Cost } from './request-costs/meter';
import { ms } from './support';

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

/** The burst over Stripe's rate limits: what buyers got, what Stripe admitted, duplicates. */
export async function reportLaunchDay(
  out: Out,
  stack: LocalStack,
  services: BenchServices,
): Promise<void> {
  out("## Launch day: checkouts over Stripe's rate limits");
  out();
  out(
    `\`POST /stripe/payment-intent\` over HTTP to the local stack, the Stripe sandbox's rate limits on: ${LAUNCH.rate} checkouts a second for ${LAUNCH.seconds} s (${String(LAUNCH.rate / TEST_MODE_LIMIT)}× ${TEST_MODE_LIMIT} a second), each sent when due whatever the earlier ones wait for. ${percent(LAUNCH.firstTimeShare)} of the requests are from first-time buyers (the service creates their Stripe customer under the same limits); the others from buyers whose earlier purchase went through the same route before the burst (the limits lifted meanwhile). ${percent(LAUNCH.repeatShare)} repeat a buyer's request: half a double click (within ${LAUNCH.doubleClickMs} ms), half a return ${LAUNCH.returnSeconds[0]}-${LAUNCH.returnSeconds[1]} s later. The burst runs twice, under the sandbox's default limits (Stripe's test mode: ${TEST_MODE_LIMIT} a second overall and per endpoint), then under live mode's (100 overall, 25 per endpoint), with the same returning buyers and new first-time ones. Admitted rates are over the time of sending, measured by the clock, not by the timer that samples them.`,
  );
  out();
  const phases = await measureLaunchDay(stack, services);
  out(
    `| figure | ${phases.map((p) => `${p.name}: ${p.limits.global}/s overall, ${p.limits.perEndpoint}/s per endpoint`).join(' | ')} |`,
  );
  out(`| --- | ${phases.map(() => '---').join(' | ')} |`);
  for (const [label, cell] of ROWS) out(`| ${label} | ${phases.map(cell).join(' | ')} |`);
  out();
  for (const p of phases) {
    for (const f of p.failures) {
      out(`- ${p.name}: ${f.count} × ${f.kind}, e.g. \`${f.sample}\``);
    }
  }
  for (const line of LAUNCH_NOTES) out(line);
  out();
}

type Row = readonly [string, (p: PhaseFigure) => string];

const endpoint = (p: PhaseFigure, name: string) => p.stripe.find((e) => e.endpoint === name);

/** An endpoint's admitted calls a second, and the share of `limit` that is. */
function admitted(p: PhaseFigure, name: string, limit: number): string {
  const e = endpoint(p, name);
  if (!e) return 'none';
  return `${e.meanPerSecond.toFixed(1)}/s (fullest second ${e.peakPerSecond.toFixed(0)}/s): ${(e.meanPerSecond / limit).toFixed(2)} of ${limit}/s; ${e.refused} refused`;
}

/** The limit whose bucket the admitted calls filled: the highest share of its limit. */
function binding(p: PhaseFigure): string {
  const shares = p.stripe.map((e) =>
    e.endpoint === ALL_ENDPOINTS
      ? { name: `overall ${p.limits.global}/s`, share: e.meanPerSecond / p.limits.global }
      : {
          name: `\`${e.endpoint}\` ${p.limits.perEndpoint}/s`,
          share: e.meanPerSecond / p.limits.perEndpoint,
        },
  );
  const [top] = shares.sort((a, b) => b.share - a.share);
  return top ? `${top.name} (${top.share.toFixed(2)} of it)` : 'none';
}

const ROWS: readonly Row[] = [
  [
    'requests sent',
    (p) =>
      `${p.requests} in ${p.burst.sendSeconds.toFixed(1)} s (${(p.requests / p.burst.sendSeconds).toFixed(1)}/s); the sender at most ${ms(p.burst.maxLagMs)} behind its plan`,
  ],
  ['buyers', (p) => `${p.plan.returning} returning, ${p.plan.firstTime} first-time`],
  [
    'answered 200',
    (p) =>
      `${p.ok.count}: **${percent(p.ok.count / p.requests)}** (first-time buyers' requests ${percent(p.okShare.firstTime)}, returning ${percent(p.okShare.returning)})`,
  ],
  [
    'answered 503 `stripe_rate_limited` with `Retry-After`',
    (p) => `${p.rateLimited.count}: ${percent(p.rateLimited.count / p.requests)}`,
  ],
  ['anything else (failures)', (p) => String(p.failures.reduce((sum, f) => sum + f.count, 0))],
  ['latency of the 200s, p50 / p99', (p) => `${ms(p.ok.p50)} / ${ms(p.ok.p99)}`],
  ['latency of the 503s, p50 / p99', (p) => `${ms(p.rateLimited.p50)} / ${ms(p.rateLimited.p99)}`],
  ['latency of all answers, p50 / p99', (p) => `${ms(p.all.p50)} / ${ms(p.all.p99)}`],
  [
    'requests in flight at most (the concurrency a function would need)',
    (p) => String(p.burst.peakInFlight),
  ],
  [
    'Stripe requests per checkout, refused ones included',
    (p) => p.stripeAttemptsPerRequest.toFixed(2),
  ],
  [
    '`POST /v1/checkout/sessions` admitted',
    (p) => admitted(p, 'POST /v1/checkout/sessions', p.limits.perEndpoint),
  ],
  ['`POST /v1/customers` admitted', (p) => admitted(p, 'POST /v1/customers', p.limits.perEndpoint)],
  ['all Stripe calls admitted', (p) => admitted(p, ALL_ENDPOINTS, p.limits.global)],
  ['the limit that binds (fullest bucket)', binding],
  [
    'checkouts answered 200 a second, first request to last answer, against 25/s',
    (p) =>
      `${(p.ok.count / p.burst.seconds).toFixed(1)}/s over ${p.burst.seconds.toFixed(1)} s: ${(p.ok.count / p.burst.seconds / 25).toFixed(2)}`,
  ],
  ['buyers with more than one Stripe customer', (p) => `**${p.customers.duplicates}**`],
  [
    'buyers with exactly one Stripe customer and the record naming it',
    (p) => `${p.customers.exactlyOne} of ${p.customers.users}`,
  ],
  [
    'buyers without a customer yet (every request refused before Stripe made it)',
    (p) =>
      `${p.customers.none} (${p.customers.reservedOnly} with a reservation the next request completes)`,
  ],
  ['a customer the record does not name', (p) => String(p.customers.mismatched)],
  [
    'CPU (share of one core)',
    (p) => p.cpu.cpu.map((c) => `${c.name} ${(c.coreShare * 100).toFixed(0)} %`).join('; '),
  ],
  [
    'machine',
    (p) =>
      p.cpu.machine
        ? `${p.cpu.machine.cores} cores, ${(p.cpu.machine.busyShare * 100).toFixed(0)} % busy`
        : 'unknown',
  ],
];

/** What the figures mean and how live mode differs; not measured here. */
const LAUNCH_NOTES: readonly string[] = [
  "- **What binds.** In test mode the overall limit equals the per-endpoint one, so the first-time buyers' `POST /v1/customers` comes out of the same 25 a second as the sessions: the overall bucket is the fuller, some first-time buyers are still without a customer when the burst ends, and their reservation waits for their next request. Under live mode's limits the customers endpoint has a bucket of its own, every first-time buyer gets a customer, and the checkout sessions endpoint's 25 a second is what binds. Either way the service turns Stripe's limit into about 25 checkouts a second and answers the rest `503 stripe_rate_limited` with `Retry-After: 1`, nothing else, and no buyer ends with a second customer (double clicks and returns included).",
  "- **Live mode.** Stripe documents (docs.stripe.com/rate-limits) 100 operations a second per account in live mode, 25 in a sandbox, and a default of 25 requests a second per endpoint unless stated otherwise (`POST /v1/checkout/sessions` and `POST /v1/customers` are two endpoints); the second burst above uses those limits. So a launch expected to pass about 25 checkouts a second, for a few seconds or more, needs a higher limit: ask Stripe Support before it (Stripe asks for at least 6 weeks' notice for a large increase), for both endpoints when many buyers are new. A spike shorter than a second rides on the bucket's one-second reserve (the fullest second in the admitted rows) and on the service's 1.5 s of retries; a sustained one is answered 503 beyond the limit, and the storefront should retry after `Retry-After`.",
  "- **What the retries cost.** A checkout that Stripe refuses is sent again within its 1.5 s budget, so Stripe sees several requests per checkout during a burst (the table's Stripe requests row), most of them refused; the sandbox does not count a refused request against the limit (Stripe does not document whether it does). Each such request holds its function for the whole window: at 100 checkouts a second well over a hundred requests were in flight (its in-flight row), so a deployed API function needs that much concurrency from the account (no reservation caps it), and API Gateway's stage throttle lets 100 a second through in prod (200/s, burst 400) but not in dev (20/s, burst 40). See [docs/capacity.md](docs/capacity.md).",
  '- **The machine.** The bench process (the handlers, the sandbox and 100 senders) used about three quarters of a core; the other sessions on the same 2 cores took the rest, so absolute latencies are noisy: the shares and rates are what to read.',
];

/** Each main path's cost per request, counted at every dependency. */
export async function reportRequestCosts(out: Out, stack: LocalStack): Promise<void> {
  out('## Per-request costs');
  out();
  out(
    `Each main path through the functions as Lambda builds them (their composition roots) over the local stack, one request at a time, every dependency counted: DynamoDB requests and the capacity DynamoDB Local reports (\`ReturnConsumedCapacity\`), SNS publishes, Stripe calls (the sandbox's request log), Secrets Manager reads (a stand-in speaking its wire protocol, read through the functions' own cache at its deployed age), the function's own log lines at the deployed INFO level, and the handler's wall time: a stand-in for Lambda's billed duration, which also waits on the network to AWS and Stripe (locally a call takes a few ms). Means of ${REPEATS} requests unless n says otherwise; the time is a median. What [docs/capacity.md](docs/capacity.md) builds on.`,
  );
  out();
  const costs = await measureRequestCosts(stack);
  out(
    '| path | n | DynamoDB reads / writes | RRU / WRU | failed conditional writes | SNS publishes | Stripe calls | Secrets Manager reads | handler ms | log bytes |',
  );
  out('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |');
  for (const p of costs.paths) out(costRow(p.name, p.n, p.cost));
  out();
  const perEvent = costs.paths.filter((p) => p.events !== undefined && p.events > 0);
  if (perEvent.length > 0) {
    out('The reconciliation runs per event of their window:');
    out();
    out(
      '| run | events | DynamoDB reads / writes | RRU / WRU | failed conditional writes | SNS publishes | Stripe calls | handler ms |',
    );
    out('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
    for (const p of perEvent) {
      const n = p.events ?? 1;
      const c = p.cost;
      out(
        `| ${p.name} | ${n} | ${fixed(c.dynamoReads / n)} / ${fixed(c.dynamoWrites / n)} | ${fixed(c.rru / n)} / ${fixed(c.wru / n)} | ${fixed(c.failedConditionalWrites / n)} | ${fixed(c.snsPublishes / n)} | ${stripeCalls(c.stripe, n)} | ${(c.ms / n).toFixed(1)} |`,
      );
    }
    out();
  }
  out(
    `Webhook deliveries a purchase made (the handled types, the ones the service's endpoint receives; ${PURCHASES} purchases of each kind): ${[...costs.eventsPerPurchase.entries()].map(([type, n]) => `${type} × ${fixed(n)}`).join(', ')}.`,
  );
  out();
}

/** Whole numbers as such (a mean of ten 1s may be 0.9999999), others to two places. */
const fixed = (n: number): string =>
  Math.abs(n - Math.round(n)) < 1e-9 ? String(Math.round(n)) : n.toFixed(2);

function stripeCalls(calls: ReadonlyMap<string, number>, per = 1): string {
  if (calls.size === 0) return 'none';
  return [...calls.entries()]
    .map(([endpoint, n]) => `\`${endpoint}\` × ${fixed(n / per)}`)
    .join(', ');
}

function costRow(name: string, n: number, c: Cost): string {
  return `| ${name} | ${n} | ${fixed(c.dynamoReads)} / ${fixed(c.dynamoWrites)} | ${fixed(c.rru)} / ${fixed(c.wru)} | ${fixed(c.failedConditionalWrites)} | ${fixed(c.snsPublishes)} | ${stripeCalls(c.stripe)} | ${fixed(c.secretReads)} | ${c.ms.toFixed(1)} | ${c.logBytes.toFixed(0)} |`;
}
