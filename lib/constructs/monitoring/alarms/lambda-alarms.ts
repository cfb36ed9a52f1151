import { Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { ServiceFunctions } from '../../service-functions';
import { ALARM_PERIOD, type AlarmFactory, ON_ANY_OCCURRENCE } from '../alarm-factory';

/**
 * Each function Lambda throttled: its concurrency, reserved or the account's, was used up.
 * What that costs depends on how the function is invoked, and the description says it.
 */
export function defineLambdaAlarms(alarms: AlarmFactory, functions: ServiceFunctions): void {
  for (const [functionId, fn] of functions.all) {
    alarms.define(`${capitalised(functionId)}Throttled`, {
      name: `${kebabCase(functionId)}-throttled`,
      description:
        functionId === 'eventBridge'
          ? "Lambda throttled the eventBridge function (its concurrency, reserved or the account's, was used up): Stripe's events from EventBridge wait in Lambda's queue and are retried, for up to 6 hours."
          : `Lambda throttled the ${functionId} function (its concurrency, reserved or the account's, was used up): requests were refused (API), delayed until Stripe retries (webhook) or a run waited (reconcile, catalogSnapshot).`,
      metric: fn.function.metricThrottles({ statistic: Stats.SUM, period: ALARM_PERIOD }),
      ...ON_ANY_OCCURRENCE,
    });
  }
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
const kebabCase = (text: string): string => text.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
