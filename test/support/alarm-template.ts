import { resourcesOf, type Synthesized } from './synth';

/** A CloudWatch alarm's properties as the template has them, for the monitoring tests. */

export interface MetricStat {
  readonly Metric: {
    readonly Namespace: string;
    readonly MetricName: string;
    readonly Dimensions?: readonly { readonly Name: string; readonly Value: unknown }[];
  };
  readonly Period: number;
  readonly Stat: string;
}
export interface AlarmMetric {
  readonly Id: string;
  readonly Expression?: string;
  readonly MetricStat?: MetricStat;
  readonly Period?: number;
  readonly ReturnData?: boolean;
}
export interface AlarmProperties {
  readonly AlarmName: string;
  readonly AlarmDescription: string;
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: readonly { readonly Name: string; readonly Value: unknown }[];
  readonly Statistic?: string;
  readonly Period?: number;
  readonly Metrics?: readonly AlarmMetric[];
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm: number;
  readonly TreatMissingData: string;
  readonly AlarmActions: readonly unknown[];
  readonly OKActions: readonly unknown[];
}

/** Every alarm of the stack. */
export const alarmsOf = ({ template }: Synthesized): AlarmProperties[] =>
  resourcesOf(template, 'AWS::CloudWatch::Alarm').map(
    ([, alarm]) => alarm.Properties as unknown as AlarmProperties,
  );

/** The alarm named `<project>-<env>-stripe-<suffix>`. */
export function alarm(s: Synthesized, suffix: string): AlarmProperties {
  const name = `eislett-education-${s.stack.config.environmentName}-stripe-${suffix}`;
  const found = alarmsOf(s).find((a) => a.AlarmName === name);
  if (!found)
    throw new Error(
      `no alarm ${name}; have ${alarmsOf(s)
        .map((a) => a.AlarmName)
        .join(', ')}`,
    );
  return found;
}
