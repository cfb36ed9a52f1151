import type { StripeObject } from '../objects/fixtures';
import type { RequestOrigin, SandboxState } from '../state/state';

export interface ApiContext {
  readonly state: SandboxState;
  /** Form body (POST) or query string (GET, DELETE), parsed with Stripe's bracket syntax. */
  readonly raw: Record<string, unknown>;
  readonly pathParams: Readonly<Record<string, string>>;
  readonly origin: RequestOrigin;
}

export type ApiHandler = (context: ApiContext) => StripeObject;

export function pathParam(context: ApiContext, name: string): string {
  const value = context.pathParams[name];
  if (value === undefined) throw new Error(`Route has no :${name}`);
  return value;
}
