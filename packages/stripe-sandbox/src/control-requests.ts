import type { ServerResponse } from 'node:http';
import { handleControl } from './controls';
import { StripeApiError } from './errors';
import { sendJson, sendStripeError } from './http';
import type { RequestContext } from './request-context';

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
