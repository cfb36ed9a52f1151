import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './api-keys';
import { matchApiRoute } from '../resources/routes';
import { StripeApiError } from './errors';
import { parseBody, parseQuery, readBody, sendRaw } from './messages';
import { IdempotencyKeys } from './idempotency';
import { stripeId } from '../objects/ids';
import type { RequestContext } from './request-context';

/**
 * A request to Stripe's API (`/v1/...`), answered as Stripe answers: a `request-id`, the
 * `Stripe-Version` echoed (or the sandbox's), the key checked, injected faults applied,
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
  const requestId = stripeId('req', 14);
  const keyHeader = request.headers['idempotency-key'];
  const key =
    method === 'POST' && typeof keyHeader === 'string' && keyHeader !== '' ? keyHeader : null;
  const answer = (status: number, body: string, replayed = false) => {
    context.state.recordRequest({
      method,
      path: url.pathname,
      status,
      idempotencyKey: key,
      replayed,
    });
    sendRaw(response, status, body);
  };
  const version = request.headers['stripe-version'];
  response.setHeader('request-id', requestId);
  response.setHeader(
    'stripe-version',
    typeof version === 'string' ? version : context.state.apiVersion,
  );
  try {
    authenticate(request);
    const text = await readBody(request);
    const raw =
      method === 'POST' ? parseBody(text, request.headers['content-type']) : parseQuery(url);
    const match = matchApiRoute(method, url.pathname);
    if (!match) {
      throw new StripeApiError(
        404,
        'invalid_request_error',
        `Unrecognized request URL (${method}: ${url.pathname}).`,
      );
    }
    const fault = context.faults.take(url.pathname);
    if (fault) {
      // Unref'd: a delayed answer must not keep a stopped sandbox's process alive.
      if (fault.delayMs > 0)
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
      if (fault.error) throw fault.error;
    }

    const fingerprint = IdempotencyKeys.fingerprint(method, url.pathname, raw);
    if (key) {
      IdempotencyKeys.assertValid(key);
      response.setHeader('idempotency-key', key);
      const replay = context.idempotency.replay(key, fingerprint);
      if (replay) {
        response.setHeader('idempotent-replayed', 'true');
        answer(replay.status, replay.body, true);
        return;
      }
    }
    let body: string;
    try {
      body = JSON.stringify(
        match.handler({
          state: context.state,
          raw,
          pathParams: match.pathParams,
          origin: { id: requestId, idempotencyKey: key },
        }),
        null,
        2,
      );
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      const errorBody = JSON.stringify(error.toBody(requestId), null, 2);
      // Stripe saves a result only once the endpoint started executing, not validation
      // errors: server errors, and a card declined (the payment was attempted).
      if (key && (error.status >= 500 || error.type === 'card_error'))
        context.idempotency.record(key, fingerprint, error.status, errorBody);
      answer(error.status, errorBody);
      return;
    }
    if (key) context.idempotency.record(key, fingerprint, 200, body);
    answer(200, body);
  } catch (error) {
    if (error instanceof StripeApiError) {
      answer(error.status, JSON.stringify(error.toBody(requestId), null, 2));
      return;
    }
    throw error;
  }
}
