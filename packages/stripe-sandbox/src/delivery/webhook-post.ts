import { createHmac } from 'node:crypto';

/** How a delivery goes out: Stripe's signature, and one POST within a timeout. */

/**
 * Stripe's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`.
 * Hand-written because this is the signing side; the stripe package only verifies (and
 * its test helper is for tests). The sandbox's tests verify it with stripe.webhooks.
 */
export function signatureHeader(
  payload: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const signature = createHmac('sha256', secret)
    .update(`${timestamp}.${payload}`, 'utf8')
    .digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

/** One POST: the answer's status (its body read and dropped), or a thrown failure to reach it in time. */
export async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.arrayBuffer();
  return response.status;
}
