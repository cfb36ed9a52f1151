import type { LocalStack } from '../local/local-stack';
import { LAUNCH, measureLaunchDay, type PhaseFigure, TEST_MODE_LIMIT } from './launch-day';
import { ALL_ENDPOINTS } from './launch-day/stripe-log';
import type { BenchServices } from './local-services';
import type { Out } from './report';
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
    `\`POST /stripe/payment-intent\` over HTTP to the local stack, the Stripe sandbox's rate limits on: ${LAUNCH.rate} checkouts a second for ${LAUNCH.seconds} s (${String(LAUNCH.rate / TEST_MODE_LIMIT)}× ${TEST_MODE_LIMIT} a second), each sent when due whatever the earlier ones wait for. ${percent(LAUNCH.firstTimeShare)} of the requests are from first-time buyers (the service creates their Stripe customer under the same limits); the others from buyers whose earlier purchase went through the same route before the burst (the limits lifted meanwhile). ${percent(LAUNCH.repeatShare)} repeat a buyer's request: half a double click (within ${LAUNCH.doubleClickMs} ms), half a return ${LAUNCH.returnSeconds[0]}-${LAUNCH.returnSeconds[1]} s later. The burst runs twice, under the sandbox's default limits (Stripe's test mode: ${TEST_MODE_LIMIT} a second overall and per endpoint), then under live mode's (100 overall, 25 per endpoint), with the same returning buyers and new first-time ones. Admitted rates are over the whole seconds of sending.`,
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
  return `${e.meanPerSecond.toFixed(1)}/s (peak second ${e.peakPerSecond}): ${(e.meanPerSecond / limit).toFixed(2)} of ${limit}/s; ${e.refused} refused`;
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
    'checkouts answered 200 a second, against 25/s',
    (p) =>
      `${(p.ok.count / p.burst.sendSeconds).toFixed(1)}/s: ${(p.ok.count / p.burst.sendSeconds / 25).toFixed(2)}`,
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
  "- **Live mode.** Stripe documents (docs.stripe.com/rate-limits) 100 operations a second per account in live mode, 25 in a sandbox, and a default of 25 requests a second per endpoint unless stated otherwise (`POST /v1/checkout/sessions` and `POST /v1/customers` are two endpoints); the second burst above uses those limits. So a launch expected to pass about 25 checkouts a second, for a few seconds or more, needs a higher limit: ask Stripe Support before it (Stripe asks for at least 6 weeks' notice for a large increase), for both endpoints when many buyers are new. A spike shorter than a second rides on the bucket's one-second reserve (the peak-second column) and on the service's 1.5 s of retries; a sustained one is answered 503 beyond the limit, and the storefront should retry after `Retry-After`.",
  "- **What the retries cost.** A checkout that Stripe refuses is sent again within its 1.5 s budget, so Stripe sees several requests per checkout during a burst (the table's Stripe requests row), most of them refused; the sandbox does not count a refused request against the limit (Stripe does not document whether it does). Each such request holds its function for the whole window: at 100 checkouts a second well over a hundred requests were in flight (its in-flight row), so a deployed API function needs that much concurrency from the account (no reservation caps it), and API Gateway's stage throttle lets 100 a second through in prod (200/s, burst 400) but not in dev (20/s, burst 40). See [docs/capacity.md](docs/capacity.md).",
  '- **The machine.** The bench process (the handlers, the sandbox and 100 senders) used about three quarters of a core; the other sessions on the same 2 cores took the rest, so absolute latencies are noisy: the shares and rates are what to read.',
];
