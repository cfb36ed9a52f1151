import type { SandboxState } from '../state/state';
import type { FaultInjector } from './faults';
import type { IdempotencyKeys } from './idempotency';

/** What every request to a running sandbox works with. */
export interface RequestContext {
  readonly state: SandboxState;
  readonly faults: FaultInjector;
  readonly idempotency: IdempotencyKeys;
}
