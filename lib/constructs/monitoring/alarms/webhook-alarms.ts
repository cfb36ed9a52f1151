import { Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS } from '../../../../lambda/domain/metrics';
import { ROUTES, routeKey } from '../../../../lambda/shared/routes';
import { metricsNamespace, type ServiceConfig } from '../../../config';
import type { ServiceApi } from '../../service-api';
import type { ServiceFunction } from '../../service-function';
import { ALARM_PERIOD, type AlarmFactory, ON_ANY_OCCURRENCE } from '../alarm-factory';
import {
  failuresPlusFunctionErrors,
  type ServiceMetricFactory,
  WEBHOOK_SERVER_ERROR_ANSWERS,
} from '../service-metric-factory';

export interface WebhookAlarmsProps {
  readonly config: ServiceConfig;
  readonly metrics: ServiceMetricFactory;
  readonly api: ServiceApi;
  readonly webhook: ServiceFunction;
}

/**
 * The webhook and the pipeline behind it: answers Stripe will retry, events parked instead
 * of published, and deliveries failing signature verification. Returns the count of the
 * webhook's 5xx answers (a metric filter on the API's access log, created in `scope`).
 */
export function defineWebhookAlarms(
  scope: Construct,
  alarms: AlarmFactory,
  props: WebhookAlarmsProps,
): MetricFilter {
  const { config, metrics } = props;
  const thresholds = config.settings.alarms;
  // Webhook: a 5xx answer means Stripe will retry (and a billing event waits); a
  // function error is one that escaped the HTTP shell (a crash, a timeout).
  const webhookRoute = routeKey(ROUTES.stripeWebhook);
  const serverErrors = new MetricFilter(scope, 'WebhookServerErrorAnswers', {
    logGroup: props.api.accessLogGroup,
    filterPattern: FilterPattern.all(
      FilterPattern.stringValue('$.routeKey', '=', webhookRoute),
      FilterPattern.stringValue('$.status', '=', '5*'),
    ),
    metricNamespace: metricsNamespace(config),
    metricName: WEBHOOK_SERVER_ERROR_ANSWERS,
    metricValue: '1',
  });
  alarms.define('WebhookFailing', {
    name: 'webhook-failing',
    description: `The webhook answered Stripe with a 5xx (${webhookRoute}, from the access log) or its function failed: a billing event is delayed until Stripe's retry succeeds.`,
    metric: failuresPlusFunctionErrors(
      { id: 'answers5xx', metric: serverErrors.metric({ statistic: Stats.SUM }) },
      props.webhook.function,
      ALARM_PERIOD,
      'Webhook 5xx answers + function errors',
    ),
    ...ON_ANY_OCCURRENCE,
  });

  alarms.define('EventsParked', {
    name: 'events-parked',
    description: `A verified Stripe event could not become a billing event and was parked (${METRICS.eventsParked}): it is not delivered until it is replayed after a fix.`,
    metric: metrics.metric(METRICS.eventsParked, { period: ALARM_PERIOD }),
    ...ON_ANY_OCCURRENCE,
  });

  alarms.define('SignatureRejections', {
    name: 'signature-rejections',
    description: `At least ${thresholds.signatureRejectionThreshold} webhook deliveries in 5 minutes failed signature verification (${METRICS.webhookSignatureRejected}): a signing secret out of step with Stripe's, or forged requests.`,
    metric: metrics.metric(METRICS.webhookSignatureRejected, { period: ALARM_PERIOD }),
    ...ON_ANY_OCCURRENCE,
    threshold: thresholds.signatureRejectionThreshold,
  });
  return serverErrors;
}
