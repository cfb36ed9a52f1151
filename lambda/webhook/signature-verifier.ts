import Stripe from 'stripe';
import { invalidRequest } from '../core/errors';

/** Stripe's own default: a signed timestamp older than 5 minutes is a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** A rotated secret is re-read past the cache at most this often per container. */
export const FORCED_REFRESH_INTERVAL_MS = 60_000;

/** The configured signing secrets; `forceFetch` reads past the secrets cache. */
export type SigningSecrets = (options?: { forceFetch?: boolean }) => Promise<readonly string[]>;

/**
 * Verifies `Stripe-Signature` with the stripe SDK (`constructEvent`: HMAC-SHA256 over
 * `<t>.<raw body>`, `v1` signatures only, constant-time comparison, timestamp tolerance)
 * against every configured signing secret, so a secret roll at Stripe has no gap. When
 * nothing verifies, the secrets are read once more past the cache (a rotation takes
 * effect at once), at most once a minute, so forged requests cannot hammer Secrets Manager.
 */
export class StripeSignatureVerifier {
  private lastForcedRefresh = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly secrets: SigningSecrets,
    private readonly now: () => number = Date.now,
  ) {}

  /** The verified event, parsed; a 400 for a missing or bad signature or a non-JSON body. */
  async verify(payload: Buffer, header: string | undefined): Promise<Stripe.Event> {
    if (header === undefined || header.trim() === '') {
      throw invalidRequest('The Stripe-Signature header is missing.', 'missing_signature');
    }
    const cached = await this.secrets();
    let event = verifyWithAny(payload, header, cached);
    if (event === undefined && this.now() - this.lastForcedRefresh >= FORCED_REFRESH_INTERVAL_MS) {
      this.lastForcedRefresh = this.now();
      const fresh = await this.secrets({ forceFetch: true });
      if (fresh.join('\n') !== cached.join('\n')) event = verifyWithAny(payload, header, fresh);
    }
    if (event === undefined) {
      throw invalidRequest('The Stripe-Signature header does not verify.', 'invalid_signature');
    }
    assertEventShape(event);
    return event;
  }
}

function verifyWithAny(
  payload: Buffer,
  header: string,
  secrets: readonly string[],
): Stripe.Event | undefined {
  for (const secret of secrets) {
    try {
      return Stripe.webhooks.constructEvent(payload, header, secret, SIGNATURE_TOLERANCE_SECONDS);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeSignatureVerificationError) continue;
      // The signature verified (constructEvent parses only after verifying), the body is
      // not JSON.
      if (error instanceof SyntaxError) {
        throw invalidRequest('The webhook body is not JSON.', 'invalid_json');
      }
      throw error;
    }
  }
  return undefined;
}

/** What the pipeline relies on: an event id, a type, a time and an object. */
function assertEventShape(event: Stripe.Event): void {
  const candidate = event as unknown as Record<string, unknown>;
  const data = candidate.data as Record<string, unknown> | null | undefined;
  const valid =
    typeof candidate.id === 'string' &&
    candidate.id.startsWith('evt_') &&
    typeof candidate.type === 'string' &&
    typeof candidate.created === 'number' &&
    typeof data === 'object' &&
    data !== null &&
    typeof data.object === 'object' &&
    data.object !== null;
  if (!valid) throw invalidRequest('The webhook body is not a Stripe event.', 'invalid_event');
}
