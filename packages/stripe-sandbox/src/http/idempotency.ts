import { StripeApiError } from './errors';

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export interface Recorded {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: string;
}

/**
 * Stripe's `Idempotency-Key`: the same key with the same request replays the first
 * response (errors included); the same key with other parameters is a 400
 * `idempotency_error`.
 */
export class IdempotencyKeys {
  private readonly recorded = new Map<string, Recorded>();

  /** Stripe refuses keys over 255 characters. */
  static assertValid(key: string): void {
    if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`,
      );
    }
  }

  static fingerprint(method: string, path: string, params: unknown): string {
    return `${method} ${path} ${JSON.stringify(params)}`;
  }

  replay(key: string, fingerprint: string): Recorded | undefined {
    const recorded = this.recorded.get(key);
    if (!recorded) return undefined;
    if (recorded.fingerprint !== fingerprint) {
      throw new StripeApiError(
        400,
        'idempotency_error',
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    return recorded;
  }

  record(key: string, fingerprint: string, status: number, body: string): void {
    this.recorded.set(key, { fingerprint, status, body });
  }

  reset(): void {
    this.recorded.clear();
  }

  /** The keys and their first responses, oldest first: a retry after a restart still replays. */
  saved(): [string, Recorded][] {
    return [...this.recorded];
  }

  restore(saved: readonly (readonly [string, Recorded])[]): void {
    this.recorded.clear();
    for (const [key, recorded] of saved) this.recorded.set(key, recorded);
  }
}
