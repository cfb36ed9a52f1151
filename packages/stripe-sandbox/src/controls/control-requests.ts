import type { ServerResponse } from 'node:http';
import { handleControl } from './flow-controls';
import { StripeApiError } from '../http/errors';
import { sendJson, sendStripeError } from '../http/messages';
import type { RequestContext } from '../http/request-context';

/** A request to a test control (`/_sandbox/...`): its answer, or Stripe's error body. */
export async function handleControlRequest(
  response: ServerResponse,
  context: RequestContext,
  method: string,
  url: URL,
  body: Record<string, unknown>,
): Promise<void> {
  try {
    const result = await handleControl(context, method, url.pathname, url.searchParams, body);
    if (result) sendJson(response, result.status, result.body);
    else {
      sendJson(response, 404, {
        error: {
          type: 'invalid_request_error',
          message: `No sandbox control ${method} ${url.pathname}`,
        },
      });
    }
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    sendStripeError(response, error, 'req_control');
  }
}
