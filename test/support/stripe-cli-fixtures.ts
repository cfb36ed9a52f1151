import * as path from 'node:path';
import { PROJECT_ROOT } from './project-root';

/**
 * `stripe fixtures` files for the handled event types the pinned Stripe CLI cannot
 * `stripe trigger` (it answers "not supported" for entitlement events): each makes the
 * real state that produces the event, through the same API calls a newcomer's app would.
 * They ship in `local/stripe-fixtures/`, where docs/local-development.md sends a developer.
 */
export const STRIPE_CLI_FIXTURES: Readonly<Partial<Record<string, string>>> = {
  'entitlements.active_entitlement_summary.updated': path.join(
    PROJECT_ROOT,
    'local',
    'stripe-fixtures',
    'entitlements.active_entitlement_summary.updated.json',
  ),
};
