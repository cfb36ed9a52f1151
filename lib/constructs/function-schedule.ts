import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { resourceName, type ServiceConfig } from '../config';

export interface FunctionScheduleProps {
  readonly config: ServiceConfig;
  readonly fn: IFunction;
  /** The rule's name suffix: `<project>-<env>-<ruleName>`. */
  readonly ruleName: string;
  /** What each run does, completing "Runs ... every N minutes". */
  readonly runs: string;
  readonly every: Duration;
}

/**
 * Invokes a function every `every`: an EventBridge rule invoking it asynchronously with
 * EventBridge's own `Scheduled Event` (its `time` is when the run was due). Used by the
 * reconciliation (each run resumes from its saved cursor, so a missed run leaves no gap)
 * and the catalog snapshot (each run rebuilds from the catalog). The monitoring construct
 * alarms when either stops running.
 */
export class FunctionSchedule extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: FunctionScheduleProps) {
    super(scope, id);
    const minutes = props.every.toMinutes();
    this.rule = new Rule(this, 'Rule', {
      ruleName: resourceName(props.config, props.ruleName),
      description: `Runs ${props.runs} every ${String(minutes)} minute${minutes === 1 ? '' : 's'}`,
      schedule: Schedule.rate(props.every),
      targets: [
        new LambdaFunction(props.fn, {
          // EventBridge retries an invocation Lambda did not accept; a run that old is
          // replaced by the next one anyway.
          maxEventAge: props.every,
          retryAttempts: 2,
        }),
      ],
    });
  }
}
