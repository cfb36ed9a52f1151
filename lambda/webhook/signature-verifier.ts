import { HttpError, invalidRequest } from '../core/errors';
import { classifyStripePayload, type IncomingStripePayload } from '../stripe-events/intake';
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

  /**
   * The verified body, parsed and classified (a snapshot event, or a thin event
   * notification: an event destination signs both alike); a 400 for a missing or bad
   * signature, a non-JSON body or a body that is neither.
   */
  async verify(payload: Buffer, header: string | undefined): Promise<IncomingStripePayload> {
    if (header === undefined || header.trim() === '') {
      throw invalidRequest('The Stripe-Signature header is missing.', 'missing_signature');
    }
    const signature = parseSignatureHeader(header);
    if (!signature || !isFresh(signature, this.now(), SIGNATURE_TOLERANCE_SECONDS)) {
      throw invalidSignature();
    }
    let verified = signedWithAny(payload, signature, await this.secrets());
    if (!verified && this.now() - this.lastForcedRefresh >= FORCED_REFRESH_INTERVAL_MS) {
      this.lastForcedRefresh = this.now();
      // Checked even when nothing rotated: one HMAC per secret at most once a minute.
      verified = signedWithAny(payload, signature, await this.secrets({ forceFetch: true }));
    }
    if (!verified) throw invalidSignature();
    return parsePayload(payload);
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

/** The verified body as what Stripe sends; a signed body that is neither kind is still a 400. */
function parsePayload(payload: Buffer): IncomingStripePayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw invalidRequest('The webhook body is not JSON.', 'invalid_json');
  }
  const classified = classifyStripePayload(parsed);
  if (!classified) {
    throw invalidRequest(
      'The webhook body is not a Stripe event or thin event notification.',
      'invalid_event',
    );
  }
  return classified;
}
