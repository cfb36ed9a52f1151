import type { StripeObject } from './fixtures';

/**
 * Sets the given fields (undefined: not given); returns their previous values (Stripe's
 * `previous_attributes`), or null if nothing changed.
 */
export function applyUpdates(
  object: StripeObject,
  updates: Record<string, unknown>,
): Record<string, unknown> | null {
  const previous: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(updates)) {
    if (value === undefined || JSON.stringify(value) === JSON.stringify(object[field])) continue;
    previous[field] = object[field];
    object[field] = value;
  }
  return Object.keys(previous).length > 0 ? previous : null;
}
