import type { StripeObject } from '../objects/fixtures';
import { retotal } from '../objects/invoices';
import { subscriptionItem } from '../objects/subscriptions';

/**
 * A subscription created with a trial (`trial_period_days`, `trial_end`): `trialing`
 * until the trial ends, its first period the trial, its first invoice for nothing (paid at
 * once, as at Stripe). What happens when it ends is in `subscription-cycles.ts`.
 */

export const MISSING_PAYMENT_METHOD_BEHAVIOURS = ['cancel', 'pause', 'create_invoice'] as const;
export type MissingPaymentMethodBehaviour = (typeof MISSING_PAYMENT_METHOD_BEHAVIOURS)[number];

export interface Trial {
  /** When it ends, unix seconds (on the customer's test clock, if any). */
  readonly end: number;
  /** `trial_settings.end_behavior.missing_payment_method` (Stripe's default `create_invoice`). */
  readonly missingPaymentMethod: MissingPaymentMethodBehaviour;
}

/** The subscription in its trial: `trialing`, its first period ending with the trial. */
export function startTrial(sub: StripeObject, trial: Trial): void {
  Object.assign(sub, {
    status: 'trialing',
    trial_start: sub.created,
    trial_end: trial.end,
    trial_settings: { end_behavior: { missing_payment_method: trial.missingPaymentMethod } },
  });
  subscriptionItem(sub).current_period_end = trial.end;
}

/** The trial's invoice: its line says the trial and costs nothing. */
export function zeroTrialInvoice(inv: StripeObject, sub: StripeObject): void {
  const product = String((subscriptionItem(sub).price as StripeObject).product);
  for (const line of (inv.lines as { data: StripeObject[] }).data)
    Object.assign(line, { amount: 0, subtotal: 0, description: `Trial period for ${product}` });
  retotal(inv);
}
