import type { IncomingMessage } from 'node:http';

/**
 * Why a request to a local-only endpoint that changes state must be refused as a browser's
 * cross-site request, or undefined when it may go on.
 *
 * Such an endpoint takes no credential (the EventBridge stand-in puts unsigned Stripe events
 * into the pipeline), so any web page the developer has open could otherwise POST to it: a
 * `text/plain` form post needs no CORS preflight. Refused here:
 * - a body that is not `application/json`: a browser sends JSON cross-site only after a
 *   preflight, which this server never grants;
 * - a request a browser marks as coming from another site (`Sec-Fetch-Site`), or whose
 *   `Origin` is not this server's own.
 * curl, scripts and tests send no `Origin` and no `Sec-Fetch-Site`, and are let through.
 */
export function crossSiteRefusal(request: IncomingMessage): string | undefined {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    return 'Send the body as Content-Type: application/json.';
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `A ${site} request from a browser is refused: this endpoint is for local tools only.`;
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !sameHost(origin, request.headers.host)) {
    return `A request from ${origin} is refused: this endpoint is for local tools only.`;
  }
  return undefined;
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
