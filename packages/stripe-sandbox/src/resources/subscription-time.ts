import { resumeSubscription } from '../billing/subscription-cycles';
import { atCustomerTime } from '../billing/test-clocks';
import {
  MISSING_PAYMENT_METHOD_BEHAVIOURS,
  type MissingPaymentMethodBehaviour,
  type Trial,
} from '../billing/trials';
import { parameterInvalid, parameterNotModelled } from '../http/errors';
import { Params } from '../http/params';
import { nowSeconds } from '../objects/clock';
import { DAY_SECONDS } from '../objects/invoices';
import { type ApiHandler, pathParam } from './api-context';
import { requireObject, respond } from './shared';

/**
 * What of a subscription's endpoints is about time: a trial on creation
 * (`trial_period_days`, `trial_end`, `trial_settings`) and `POST /v1/subscriptions/:id/resume`.
 */

export const TRIAL_PARAMS = ['trial_end', 'trial_period_days', 'trial_settings'];

/** Stripe's longest trial. */
const MAX_TRIAL_DAYS = 730;

function trialEnd(params: Params, now: number): number | undefined {
  const days = params.integer('trial_period_days', { min: 0, max: MAX_TRIAL_DAYS });
  if (params.string('trial_end') === 'now') return undefined;
  const end = params.integer('trial_end');
  if (days !== undefined && end !== undefined)
    throw parameterInvalid('trial_end', 'You may not pass both trial_end and trial_period_days.');
  if (end === undefined)
    return days === undefined || days === 0 ? undefined : now + days * DAY_SECONDS;
  if (end <= now) throw parameterInvalid('trial_end', 'trial_end must be in the future.');
  if (end > now + MAX_TRIAL_DAYS * DAY_SECONDS)
    throw parameterInvalid('trial_end', `trial_end can be at most ${MAX_TRIAL_DAYS} days away.`);
  return end;
}

/** The trial a create request asks for, on "now" (the customer's test clock time), if any. */
export function trialParams(params: Params): Trial | undefined {
  const behaviour = params
    .hash('trial_settings', ['end_behavior'])
    ?.hash('end_behavior', ['missing_payment_method'])
    ?.string('missing_payment_method');
  if (
    behaviour !== undefined &&
    !(MISSING_PAYMENT_METHOD_BEHAVIOURS as readonly string[]).includes(behaviour)
  )
    throw parameterInvalid(
      'trial_settings[end_behavior][missing_payment_method]',
      `Invalid missing_payment_method: ${behaviour}`,
    );
  const end = trialEnd(params, nowSeconds());
  if (end === undefined) return undefined;
  return {
    end,
    missingPaymentMethod: (behaviour ?? 'create_invoice') as MissingPaymentMethodBehaviour,
  };
}

/** An update may not start or end a trial in the sandbox: refused by name. */
export function refuseTrialChanges(params: Params): void {
  for (const name of TRIAL_PARAMS)
    if (params.has(name)) throw parameterNotModelled(name, 'changing a trial');
}

/**
 * `POST /v1/subscriptions/:id/resume`: a paused subscription starts a new period now
 * (`billing_cycle_anchor=now`, Stripe's default; `unchanged` is not modelled), its invoice
 * collected at once; no proration.
 */
export const resumeSubscriptionEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    'billing_cycle_anchor',
    'payment_behavior',
    'proration_behavior',
    'proration_date',
  ]);
  // `billing_cycle_anchor[type]` in this API version; a plain string in older ones.
  const anchor =
    (typeof params.raw.billing_cycle_anchor === 'string'
      ? params.string('billing_cycle_anchor')
      : params.hash('billing_cycle_anchor', ['type'])?.string('type')) ?? 'now';
  if (anchor === 'unchanged')
    throw parameterNotModelled('billing_cycle_anchor', 'resuming on the old billing cycle');
  if (anchor !== 'now')
    throw parameterInvalid('billing_cycle_anchor', `Invalid billing_cycle_anchor: ${anchor}`);
  const sub = requireObject(context, 'subscription', pathParam(context, 'id'));
  const resumed = atCustomerTime(context.state, sub.customer as string, () =>
    resumeSubscription(context.state, sub, context.origin),
  );
  return respond(context, resumed, params);
};
