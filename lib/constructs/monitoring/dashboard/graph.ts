import { Duration } from 'aws-cdk-lib';
import { GraphWidget, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { MetricName } from '../../../../lambda/domain/metrics';
import type { ServiceMetricFactory } from '../service-metric-factory';

/** The dashboard's resolution: fine enough to see a burst, coarse enough to see a day. */
export const DASHBOARD_PERIOD = Duration.minutes(5);

/** A third of the dashboard's width: three graphs a row. */
export const WIDGET_WIDTH = 8;
export const WIDGET_HEIGHT = 6;

/** One graph of the dashboard, at its period and size. */
export const graph = (
  title: string,
  left: IMetric[],
  options: { readonly stacked?: boolean } = {},
): GraphWidget =>
  new GraphWidget({
    title,
    left,
    width: WIDGET_WIDTH,
    height: WIDGET_HEIGHT,
    period: DASHBOARD_PERIOD,
    stacked: options.stacked ?? false,
  });

/** One of the service's own metrics as the dashboard draws it: at its period, labelled. */
export const drawnMetric = (
  metrics: ServiceMetricFactory,
  name: MetricName,
  label: string,
): IMetric => metrics.metric(name, { period: DASHBOARD_PERIOD, label });
