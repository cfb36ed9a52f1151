import type { ServerResponse } from 'node:http';
import { StripeApiError } from '../http/errors';
import { sendJson, sendNotFound, sendStripeError } from '../http/messages';
import type { RequestContext } from '../http/request-context';
import type { ControlBody, ControlResult } from './control-messages';
import { handleDeliveryControl } from './delivery-controls';
import { FLOW_CONTROLS, handleFlowControl } from './flow-controls';
import { handleRequestControl } from './request-controls';

/**
 * Test controls under `/_sandbox/` (never part of Stripe's API): drive flows that a buyer
 * or time would drive at Stripe (`flow-controls.ts`), count requests, inject faults and
 * reset (`request-controls.ts`), and steer webhook delivery (`delivery-controls.ts`). All
 * of them are documented in the package's README.md.
 */

/** `POST /_sandbox/subscriptions/sub_1/renew` -> route `POST subscriptions/:id/renew`, id `sub_1`. */
function controlRoute(method: string, path: string): { route: string; id: string } {
  const segments = path.replace(/^\/_sandbox\//, '').split('/');
  for (const pattern of FLOW_CONTROLS) {
    const parts = pattern.split('/');
    if (parts.length !== segments.length) continue;
    const index = parts.indexOf(':id');
    if (parts.every((part, i) => i === index || part === segments[i])) {
      return { route: `${method} ${pattern}`, id: decodeURIComponent(segments[index] ?? '') };
    }
  }
  return { route: `${method} ${segments.join('/')}`, id: '' };
}

async function handleControl(
  context: RequestContext,
  method: string,
  url: URL,
  body: ControlBody,
): Promise<ControlResult | undefined> {
  const { route, id } = controlRoute(method, url.pathname);
  return (
    handleFlowControl(context.state, route, id, body) ??
    handleRequestControl(context, route, body) ??
    (await handleDeliveryControl(context.state, route, url.searchParams, body))
  );
}

/** A request to a test control (`/_sandbox/...`): its answer, or Stripe's error body. */
export async function handleControlRequest(
  response: ServerResponse,
  context: RequestContext,
  method: string,
  url: URL,
  body: Record<string, unknown>,
): Promise<void> {
  try {
    const result = await handleControl(context, method, url, body);
    if (result) sendJson(response, result.status, result.body);
    else sendNotFound(response, `No sandbox control ${method} ${url.pathname}`);
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    sendStripeError(response, error, 'req_control');
  }
}
