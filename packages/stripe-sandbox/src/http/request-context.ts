import type { SandboxState } from '../state/state';
import type { FaultInjector } from './faults';
import type { IdempotencyKeys } from './idempotency';
import type { RateLimiter } from './rate-limits';

/** What every request to a running sandbox works with. */
export interface RequestContext {
  readonly state: SandboxState;
  readonly faults: FaultInjector;
  readonly idempotency: IdempotencyKeys;
  readonly rateLimits: RateLimiter;
}
