import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { resourceName, type ServiceConfig } from '../config';

export interface ReconciliationScheduleProps {
  readonly config: ServiceConfig;
  readonly reconcile: IFunction;
}

/**
 * Runs the reconciliation every `reconcileIntervalMinutes` (contract section 8): an
 * EventBridge rule invoking the function asynchronously with EventBridge's own
 * `Scheduled Event` (its `time` is when the run was due). Each run resumes from the cursor
 * the last one saved (with overlap), so a missed or failed run leaves no gap; the
 * monitoring construct alarms when runs stop.
 */
export class ReconciliationSchedule extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ReconciliationScheduleProps) {
    super(scope, id);
    const { intervalMinutes } = props.config.settings.reconciliation;
    this.rule = new Rule(this, 'Rule', {
      ruleName: resourceName(props.config, 'stripe-reconcile-schedule'),
      description: `Runs the Stripe reconciliation every ${intervalMinutes} minutes`,
      schedule: Schedule.rate(Duration.minutes(intervalMinutes)),
      targets: [
        new LambdaFunction(props.reconcile, {
          // EventBridge retries an invocation Lambda did not accept; a run that old is
          // replaced by the next one anyway.
          maxEventAge: Duration.minutes(intervalMinutes),
          retryAttempts: 2,
        }),
      ],
    });
  }
}
