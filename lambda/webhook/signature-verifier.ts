import type Stripe from 'stripe';
import { HttpError, invalidRequest } from '../core/errors';
import {
  isFresh,
  isSignedWith,
  parseSignatureHeader,
  type StripeSignatureHeader,
} from './stripe-signature';

/** Stripe's own default: a signed timestamp more than 5 minutes off (either way) is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** A rotated secret is re-read past the cache at most this often per container. */
export const FORCED_REFRESH_INTERVAL_MS = 60_000;

/** The configured signing secrets; `forceFetch` reads past the secrets cache. */
export type SigningSecrets = (options?: { forceFetch?: boolean }) => Promise<readonly string[]>;

/**
 * Verifies `Stripe-Signature` over the raw body (`stripe-signature.ts`: HMAC-SHA256 of
 * `<t>.<raw body>`, `v1` signatures only, constant-time comparison, `t` within 300 s of
 * now either way) against every configured signing secret, so a secret roll at Stripe has
 * no gap. When no secret verifies a well-formed, fresh header, the secrets are read once
 * more past the cache (a rotation takes effect at once), at most once a minute, so forged
 * requests cannot hammer Secrets Manager.
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
    const signature = parseSignatureHeader(header);
    if (!signature || !isFresh(signature, this.now(), SIGNATURE_TOLERANCE_SECONDS)) {
      throw invalidSignature();
    }
    const cached = await this.secrets();
    let verified = signedWithAny(payload, signature, cached);
    if (!verified && this.now() - this.lastForcedRefresh >= FORCED_REFRESH_INTERVAL_MS) {
      this.lastForcedRefresh = this.now();
      const fresh = await this.secrets({ forceFetch: true });
      if (fresh.join('\n') !== cached.join('\n'))
        verified = signedWithAny(payload, signature, fresh);
    }
    if (!verified) throw invalidSignature();
    return parseEvent(payload);
  }
}

/** The error codes of a delivery refused for its signature (missing, malformed, stale, wrong). */
export const SIGNATURE_REJECTION_CODES: readonly string[] = [
  'missing_signature',
  'invalid_signature',
];

/** Whether `verify` refused the delivery for its signature (not for a signed non-event body). */
export const isSignatureRejection = (error: unknown): boolean =>
  error instanceof HttpError && SIGNATURE_REJECTION_CODES.includes(error.code);

const invalidSignature = () =>
  invalidRequest('The Stripe-Signature header does not verify.', 'invalid_signature');

const signedWithAny = (
  payload: Buffer,
  signature: StripeSignatureHeader,
  secrets: readonly string[],
): boolean => secrets.some((secret) => isSignedWith(payload, signature, secret));

/** The verified body as a Stripe event; a signed body that is not one is still a 400. */
function parseEvent(payload: Buffer): Stripe.Event {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw invalidRequest('The webhook body is not JSON.', 'invalid_json');
  }
  assertEventShape(parsed);
  return parsed;
}

/** Stripe's ids are at most 255 characters; the event id keys the idempotency and parked records. */
const MAX_EVENT_ID_CHARS = 255;

/** What the pipeline relies on: an event id, a type, a time and an object. */
function assertEventShape(event: unknown): asserts event is Stripe.Event {
  const candidate = (typeof event === 'object' && event !== null ? event : {}) as Record<
    string,
    unknown
  >;
  const data = candidate.data as Record<string, unknown> | null | undefined;
  const valid =
    typeof candidate.id === 'string' &&
    candidate.id.startsWith('evt_') &&
    candidate.id.length <= MAX_EVENT_ID_CHARS &&
    typeof candidate.type === 'string' &&
    typeof candidate.created === 'number' &&
    typeof data === 'object' &&
    data !== null &&
    typeof data.object === 'object' &&
    data.object !== null;
  if (!valid) throw invalidRequest('The webhook body is not a Stripe event.', 'invalid_event');
}
