import type { IncomingMessage, ServerResponse } from 'node:http';
import { stripeId } from '../objects/ids';
import { type ApiRouteMatch, matchApiRoute } from '../resources/routes';
import { authenticate } from '../http/api-keys';
import { StripeApiError } from '../http/errors';
import type { FaultInjector } from '../http/faults';
import { IdempotencyKeys } from '../http/idempotency';
import { parseBody, parseQuery, readBody, sendRaw } from '../http/messages';
import type { RequestContext } from '../http/request-context';

/** One call to Stripe's API: what its answer is recorded and saved with. */
interface ApiCall {
  readonly method: string;
  readonly path: string;
  readonly requestId: string;
  /** The `Idempotency-Key` of a POST, if it has one. */
  readonly key: string | null;
}

const errorBody = (error: StripeApiError, requestId: string): string =>
  JSON.stringify(error.toBody(requestId), null, 2);

/** The call's parameters: the form (or JSON) body of a POST, the query string otherwise. */
async function callParams(
  request: IncomingMessage,
  method: string,
  url: URL,
): Promise<Record<string, unknown>> {
  const text = await readBody(request);
  return method === 'POST' ? parseBody(text, request.headers['content-type']) : parseQuery(url);
}

/** An injected fault for this path: its delay, then its error. */
async function applyFault(faults: FaultInjector, path: string): Promise<void> {
  const fault = faults.take(path);
  if (!fault) return;
  // Unref'd: a delayed answer must not keep a stopped sandbox's process alive.
  if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
  if (fault.error) throw fault.error;
}

/**
 * Runs the route's handler: its object, or Stripe's error body. Stripe saves a result
 * under its `Idempotency-Key` only once the endpoint started executing, not validation
 * errors: a success, server errors, and a card declined (the payment was attempted).
 */
function execute(
  match: ApiRouteMatch,
  context: RequestContext,
  call: ApiCall,
  raw: Record<string, unknown>,
  fingerprint: string,
): { status: number; body: string } {
  const { key, requestId } = call;
  let body: string;
  try {
    const origin = { id: requestId, idempotencyKey: key };
    const object = match.handler({
      state: context.state,
      raw,
      pathParams: match.pathParams,
      origin,
    });
    body = JSON.stringify(object, null, 2);
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    const failed = errorBody(error, requestId);
    if (key && (error.status >= 500 || error.type === 'card_error'))
      context.idempotency.record(key, fingerprint, error.status, failed);
    return { status: error.status, body: failed };
  }
  if (key) context.idempotency.record(key, fingerprint, 200, body);
  return { status: 200, body };
}

/**
 * The answer of the call: the replay of the first answer under its `Idempotency-Key`, or
 * the route's (after the key, the route and injected faults are checked).
 */
async function answerOf(
  request: IncomingMessage,
  response: ServerResponse,
  context: RequestContext,
  call: ApiCall,
  url: URL,
): Promise<{ status: number; body: string; replayed?: boolean }> {
  authenticate(request);
  const raw = await callParams(request, call.method, url);
  const match = matchApiRoute(call.method, call.path);
  if (!match) {
    throw new StripeApiError(
      404,
      'invalid_request_error',
      `Unrecognized request URL (${call.method}: ${call.path}).`,
    );
  }
  // Stripe's limiter stands in front of everything else: a refused request does nothing.
  context.rateLimits.admit(match.endpoint);
  await applyFault(context.faults, call.path);
  const fingerprint = IdempotencyKeys.fingerprint(call.method, call.path, raw);
  if (call.key) {
    IdempotencyKeys.assertValid(call.key);
    response.setHeader('idempotency-key', call.key);
    const replay = context.idempotency.replay(call.key, fingerprint);
    if (replay) {
      response.setHeader('idempotent-replayed', 'true');
      return { status: replay.status, body: replay.body, replayed: true };
    }
  }
  return execute(match, context, call, raw, fingerprint);
}

/**
 * A request to Stripe's API (`/v1/...`), answered as Stripe answers: a `request-id`, the
 * `Stripe-Version` echoed (or the sandbox's), the key checked, the rate limits, injected faults applied,
 * `Idempotency-Key` replays, then the route's object or Stripe's error body. Every answer
 * is recorded (`GET /_sandbox/requests`).
 */
export async function handleApiRequest(
  request: IncomingMessage,
  response: ServerResponse,
  context: RequestContext,
  method: string,
  url: URL,
): Promise<void> {
  const keyHeader = request.headers['idempotency-key'];
  const call: ApiCall = {
    method,
    path: url.pathname,
    requestId: stripeId('req', 14),
    key: method === 'POST' && typeof keyHeader === 'string' && keyHeader !== '' ? keyHeader : null,
  };
  const version = request.headers['stripe-version'];
  response.setHeader('request-id', call.requestId);
  response.setHeader(
    'stripe-version',
    typeof version === 'string' ? version : context.state.apiVersion,
  );
  let answer: { status: number; body: string; replayed?: boolean };
  try {
    answer = await answerOf(request, response, context, call, url);
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    answer = { status: error.status, body: errorBody(error, call.requestId) };
  }
  context.state.recordRequest({
    method,
    path: call.path,
    status: answer.status,
    idempotencyKey: call.key,
    replayed: answer.replayed ?? false,
  });
  sendRaw(response, answer.status, answer.body);
}
