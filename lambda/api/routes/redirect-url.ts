import { invalidRequest } from '../../core/errors';
import type { RedirectPolicy } from '../../domain/redirect-policy';

/** A redirect URL field that passed the policy, byte for byte, or a 400 naming the field. */
export function checkedRedirectUrl(policy: RedirectPolicy, field: string, value: string): string {
  const check = policy.check(value);
  if (!check.ok) throw invalidRequest(`${field} ${check.reason}.`, 'invalid_redirect_url');
  return check.url;
}
