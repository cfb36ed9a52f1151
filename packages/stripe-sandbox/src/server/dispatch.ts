import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleControlRequest } from '../controls/control-requests';
import { handleCheckoutPage } from '../pages/checkout-page';
import { handlePortalPage } from '../pages/portal-page';
import { handleApiRequest } from './api-requests';
import { parseBody, readBody, sendNotFound } from '../http/messages';
import type { RequestContext } from '../http/request-context';

/**
 * Which surface a request is for, by its path: Stripe's API (`/v1/`, `/v2/`), the test controls
 * (`/_sandbox/`), or the hosted checkout and portal pages (`/checkout/`, `/portal/`).
 */
export async function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  context: RequestContext,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://sandbox');
  const method = request.method ?? 'GET';
  const path = url.pathname;
  // v2 takes JSON bodies; the API request handling reads either by content type.
  if (path.startsWith('/v1/') || path.startsWith('/v2/')) {
    await handleApiRequest(request, response, context, method, url);
    return;
  }
  const body = parseBody(await readBody(request), request.headers['content-type']);
  if (path.startsWith('/_sandbox/')) {
    await handleControlRequest(response, context, method, url, body);
  } else if (path.startsWith('/checkout/')) {
    handleCheckoutPage(response, context.state, method, path);
  } else if (path.startsWith('/portal/')) {
    handlePortalPage(response, context.state, method, path, body);
  } else {
    sendNotFound(response, `Unrecognized request URL (${method}: ${path}).`);
  }
}
