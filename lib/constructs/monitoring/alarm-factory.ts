import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { resourceName, type ServiceConfig } from '../../config';

/**
 * The period of most alarms; the reconciliation's follow its interval, the catalog
 * snapshot's staleness its one-minute count.
 */
export const ALARM_PERIOD = Duration.minutes(5);

/** What an alarm watches and when it fires; every alarm states all of it. */
export interface AlarmDefinition {
  /** The alarm's name is `<project>-<env>-stripe-<name>`; RUNBOOK.md has a section of that name. */
  readonly name: string;
  readonly description: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData: TreatMissingData;
}

/**
 * When most alarms fire: at the first occurrence in a period (one failed run, one parked
 * event, one throttle); a period without data had none.
 */
export const ON_ANY_OCCURRENCE = {
  threshold: 1,
  comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  evaluationPeriods: 1,
  treatMissingData: TreatMissingData.NOT_BREACHING,
} as const satisfies Partial<AlarmDefinition>;

/**
 * Creates the alarms of contract section 8 in `scope`, each notifying the alarm topic in
 * alarm and back to OK, and pointing at its runbook section.
 */
export class AlarmFactory {
  /** Every alarm created, by construct id, in the order of creation. */
  readonly alarms: Record<string, Alarm> = {};
  private readonly action: SnsAction;

  constructor(
    private readonly scope: Construct,
    private readonly config: ServiceConfig,
    topic: ITopic,
  ) {
    this.action = new SnsAction(topic);
  }

  define(id: string, definition: AlarmDefinition): void {
    const alarm = new Alarm(this.scope, id, {
      alarmName: resourceName(this.config, `stripe-${definition.name}`),
      alarmDescription: `${definition.description} Runbook: RUNBOOK.md, "stripe-${definition.name}".`,
      metric: definition.metric,
      threshold: definition.threshold,
      comparisonOperator: definition.comparisonOperator,
      evaluationPeriods: definition.evaluationPeriods,
      datapointsToAlarm: definition.datapointsToAlarm ?? definition.evaluationPeriods,
      treatMissingData: definition.treatMissingData,
    });
    alarm.addAlarmAction(this.action);
    // Back to OK is news too: whoever was paged learns it passed.
    alarm.addOkAction(this.action);
    this.alarms[id] = alarm;
  }
}
