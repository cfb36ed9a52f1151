import type { Admission, UserRequestLimiter } from '../../lambda/domain/request-limit';

/** What the fake limiter answers: the counting itself is the DynamoDB adapter's (tested there). */
export type ScriptedAdmission =
  | { readonly kind: 'admit' }
  | { readonly kind: 'refuse'; readonly retryAfterSeconds: number }
  | { readonly kind: 'fail'; readonly error: Error }
  /** Never answers, whatever the signal says: the caller's own deadline must end the wait. */
  | { readonly kind: 'stall' };

/**
 * A scripted per-user limiter for unit tests: it records each call (the user and the
 * signal it was given) and answers what `next` says, admitting by default. It keeps no
 * count of its own, so no rule of the limit lives here.
 */
export class FakeRequestLimiter implements UserRequestLimiter {
  readonly calls: { readonly userId: string; readonly signal: AbortSignal | undefined }[] = [];
  next: ScriptedAdmission = { kind: 'admit' };

  admit(userId: string, signal?: AbortSignal): Promise<Admission> {
    this.calls.push({ userId, signal });
    const next = this.next;
    switch (next.kind) {
      case 'admit':
        return Promise.resolve({ admitted: true });
      case 'refuse':
        return Promise.resolve({ admitted: false, retryAfterSeconds: next.retryAfterSeconds });
      case 'fail':
        return Promise.reject(next.error);
      case 'stall':
        return new Promise<never>(() => undefined);
    }
  }

  /** The users whose requests were counted or refused, in order. */
  get users(): string[] {
    return this.calls.map((call) => call.userId);
  }
}
