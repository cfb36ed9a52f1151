import { StripeApiError } from './errors';

/** A failure injected into the next matching API requests (test control). */
interface Fault {
  /** Only requests whose path starts with this fail; every API path when absent. */
  readonly pathPrefix?: string;
  /** The HTTP status to answer (402, 409, 429, 500 ...); none for a pure delay. */
  readonly status?: number;
  /** Wait this long before answering (a slow or timing-out Stripe). */
  readonly delayMs?: number;
  /** How many requests it applies to. */
  remaining: number;
}

const FAULT_ERRORS: Record<number, () => StripeApiError> = {
  402: () => new StripeApiError(402, 'card_error', 'Your card was declined.', 'card_declined'),
  409: () =>
    new StripeApiError(
      409,
      'idempotency_error',
      'There is currently another in-progress request using this Idempotent Key.',
      'idempotency_key_in_use',
    ),
  429: () =>
    new StripeApiError(
      429,
      'rate_limit_error',
      'Too many requests hit the API too quickly.',
      'rate_limit',
    ),
  500: () => new StripeApiError(500, 'api_error', 'An unknown error occurred.'),
};

export class FaultInjector {
  private faults: Fault[] = [];

  add(fault: Fault): void {
    this.faults.push(fault);
  }

  clear(): void {
    this.faults = [];
  }

  /** Takes the first fault matching `path`, if any. */
  take(path: string): { delayMs: number; error: StripeApiError | null } | undefined {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && (f.pathPrefix === undefined || path.startsWith(f.pathPrefix)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    const make =
      fault.status === undefined ? undefined : (FAULT_ERRORS[fault.status] ?? FAULT_ERRORS[500]);
    return { delayMs: fault.delayMs ?? 0, error: make ? make() : null };
  }
}
