import { ROUTES } from '../../lambda/shared/routes';
import { LOCAL_SECRET_DEFAULTS } from '../../local/config';
import { signAccessToken } from '../../local/dev-tokens';
import type { LocalStack } from '../../local/local-stack';
import { sleep } from '../support';
import { LAUNCH, type PlannedRequest } from './plan';

/** One answer of the burst, as the buyer's browser saw it. */
export interface Answer {
  readonly request: PlannedRequest;
  readonly status: number;
  /** The contract's error code, for an error. */
  readonly code: string | undefined;
  readonly retryAfter: string | null;
  readonly ms: number;
  /** The body, kept only for an answer that is neither a 200 nor the expected 503. */
  readonly body?: string;
}

export interface Burst {
  readonly answers: readonly Answer[];
  /** Seconds from the first request sent to the last one sent. */
  readonly sendSeconds: number;
  /** Seconds from the first request sent to the last answer. */
  readonly seconds: number;
  /** How late the sender was at worst against the plan: the driver keeping up, or not. */
  readonly maxLagMs: number;
  /** The most requests in flight at once: the concurrency the function would need. */
  readonly peakInFlight: number;
}

/** An access token per buyer, signed before the burst so the burst spends no CPU on it. */
export async function tokensFor(users: readonly string[]): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const userId of users) {
    tokens.set(
      userId,
      await signAccessToken({
        secret: LOCAL_SECRET_DEFAULTS.jwtAccessTokenSecret,
        subject: userId,
      }),
    );
  }
  return tokens;
}

/** A checkout as the storefront sends it: the buyer's token, the price, the redirects. */
export async function checkout(
  stack: LocalStack,
  token: string,
  priceId: string,
): Promise<Response> {
  return fetch(`${stack.apiUrl}${ROUTES.createCheckoutSession.path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      priceId,
      successUrl: `${stack.apiUrl}/success?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${stack.apiUrl}/`,
    }),
  });
}

/**
 * Every planned request at its time (open loop: a request is sent when due, whatever the
 * earlier ones are waiting for, as buyers do), each answer with its latency.
 */
export async function fireBurst(
  stack: LocalStack,
  requests: readonly PlannedRequest[],
  tokens: ReadonlyMap<string, string>,
): Promise<Burst> {
  const answers: Answer[] = [];
  const pending: Promise<void>[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  let maxLagMs = 0;
  const started = performance.now();
  for (const request of requests) {
    const wait = started + request.atMs - performance.now();
    if (wait > 1) await sleep(wait);
    maxLagMs = Math.max(maxLagMs, performance.now() - (started + request.atMs));
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    pending.push(
      send(stack, request, tokens).then((answer) => {
        inFlight--;
        answers.push(answer);
      }),
    );
  }
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(pending);
  return {
    answers,
    sendSeconds,
    seconds: (performance.now() - started) / 1000,
    maxLagMs,
    peakInFlight,
  };
}

async function send(
  stack: LocalStack,
  request: PlannedRequest,
  tokens: ReadonlyMap<string, string>,
): Promise<Answer> {
  const token = tokens.get(request.userId);
  if (token === undefined) throw new Error(`no token for ${request.userId}`);
  const sent = performance.now();
  const response = await checkout(stack, token, request.priceId);
  const text = await response.text();
  const ms = performance.now() - sent;
  const code = response.status === 200 ? undefined : errorCode(text);
  const retryAfter = response.headers.get('retry-after');
  const expected =
    response.status === 200 ||
    (response.status === 503 && code === 'stripe_rate_limited' && retryAfter !== null);
  return {
    request,
    status: response.status,
    code,
    retryAfter,
    ms,
    ...(expected ? {} : { body: text.slice(0, 300) }),
  };
}

function errorCode(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'string' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The returning buyers' earlier purchase, through the same route, before the launch: with
 * the sandbox's rate limits lifted meanwhile (they bought over weeks, not in one burst),
 * set back to Stripe's test-mode defaults afterwards.
 */
export async function setUpReturningBuyers(
  stack: LocalStack,
  users: readonly string[],
  tokens: ReadonlyMap<string, string>,
): Promise<void> {
  await setSandboxRateLimits(stack, { enabled: false });
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: LAUNCH.setupConcurrency }, async () => {
        for (let i = next++; i < users.length; i = next++) {
          const userId = users[i] ?? '';
          // Every price sold at launch is already synced to Stripe, as it would be by then.
          const priceId = LAUNCH.prices[i % LAUNCH.prices.length] ?? LAUNCH.prices[0];
          const response = await checkout(stack, tokens.get(userId) ?? '', priceId);
          if (response.status !== 200) {
            throw new Error(`setting up ${userId}: ${response.status} ${await response.text()}`);
          }
        }
      }),
    );
  } finally {
    await setSandboxRateLimits(stack, { enabled: true });
  }
}

/**
 * The sandbox's rate limits (`POST /_sandbox/rate-limits`): `enabled: false` lifts them,
 * `enabled: true` alone sets Stripe's test-mode defaults; every bucket starts full again.
 */
export async function setSandboxRateLimits(
  stack: LocalStack,
  limits: { enabled: boolean } | { global: number; per_endpoint: number },
): Promise<void> {
  const sandbox = stack.stripeSandbox;
  if (!sandbox) throw new Error('the launch-day benchmark needs the Stripe sandbox');
  const response = await fetch(`${sandbox.url}/_sandbox/rate-limits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(limits),
  });
  if (!response.ok) throw new Error(`rate limits: ${response.status} ${await response.text()}`);
}
