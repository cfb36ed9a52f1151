import { METRICS } from '../../../../../../lambda/domain/metrics';
import { ENVIRONMENT_NAMES } from '../../../../../../lib/config';
import { WEBHOOK_SERVER_ERROR_ANSWERS } from '../../../../../../lib/constructs/monitoring/service-metric-factory';
import { alarmsOf } from '../../../../../support/alarm-template';
import {
  resourcesOf,
  type Synthesized,
  synthesizeEveryEnvironment,
} from '../../../../../support/synth';

jest.setTimeout(60_000);

/** The dashboard body as the console gets it, with each CloudFormation token as "<token>". */
function dashboardBody(s: Synthesized): {
  widgets: { type: string; properties: Record<string, unknown> }[];
} {
  const [dashboard] = resourcesOf(s.template, 'AWS::CloudWatch::Dashboard');
  const join = (dashboard?.[1].Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })[
    'Fn::Join'
  ][1];
  return JSON.parse(join.map((part) => (typeof part === 'string' ? part : '<token>')).join('')) as {
    widgets: { type: string; properties: Record<string, unknown> }[];
  };
}

const get = synthesizeEveryEnvironment({ bundling: false });

describe.each(ENVIRONMENT_NAMES)('ServiceDashboard (%s)', (env) => {
  const namespace = `eislett-education-${env}-stripe-service`;

  it('draws the pipeline on one dashboard', () => {
    const s = get(env);
    const dashboards = resourcesOf(s.template, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.[1].Properties.DashboardName).toBe(
      `eislett-education-${env}-stripe-service`,
    );
    const { widgets } = dashboardBody(s);
    const graphs = Object.fromEntries(
      widgets
        .filter((w) => w.type === 'metric')
        .map((w) => [w.properties.title as string, JSON.stringify(w.properties.metrics)]),
    );
    const shows = (title: string, ...parts: string[]) => {
      expect(Object.keys(graphs)).toContain(title);
      for (const part of parts) expect(graphs[title]).toContain(part);
    };
    shows(
      'Webhook deliveries',
      METRICS.webhookVerified,
      METRICS.webhookSignatureRejected,
      METRICS.webhookDuplicate,
      WEBHOOK_SERVER_ERROR_ANSWERS,
    );
    // Whatever types exist: a search over the `type` dimension.
    shows(
      'Billing events published, by type',
      `SEARCH('{\\"${namespace}\\",environment,type} MetricName=\\"${METRICS.billingEventsPublished}\\" environment=\\"${env}\\"', 'Sum', 300)`,
    );
    shows('Not published', METRICS.eventsParked, METRICS.eventsSuperseded);
    shows(
      'Reconciliation',
      METRICS.reconciliationRuns,
      METRICS.reconciliationFailures,
      METRICS.eventsRecovered,
    );
    shows(
      'Checkout and price listing',
      METRICS.checkoutSessionsCreated,
      METRICS.catalogSnapshotRefreshes,
      METRICS.catalogSnapshotChanges,
      METRICS.catalogSnapshotFailures,
      METRICS.priceListingServedStale,
    );
    shows(
      'Dependency failures',
      METRICS.stripeCallFailures,
      METRICS.stripeTimeouts,
      METRICS.awsCallFailures,
      METRICS.awsTimeouts,
    );
    shows('Lambda errors', '"AWS/Lambda","Errors"');
    shows('Lambda throttles', '"AWS/Lambda","Throttles"');
    shows('Lambda duration (p99)', '"AWS/Lambda","Duration"');
    shows(
      'API answers',
      '"Count"',
      '"4xx"',
      '"5xx"',
      METRICS.userRateLimited,
      METRICS.userRateLimiterFailures,
    );
    shows('API latency', '"Latency"', '"IntegrationLatency"');
    shows('DynamoDB throttled or failed requests', 'ReadThrottleEvents', 'SystemErrors');
    // Every one of the service's metrics is somewhere on it, and every alarm. (The
    // EventBridge way in's are drawn only with it: test/infra/lib/constructs/stripe-event-bridge.test.ts.)
    const eventBridgeMetrics: readonly string[] = [
      METRICS.eventBridgeReceived,
      METRICS.eventBridgeRejected,
      METRICS.eventBridgeDuplicate,
    ];
    for (const name of Object.values(METRICS).filter((m) => !eventBridgeMetrics.includes(m))) {
      expect(Object.values(graphs).some((metrics) => metrics.includes(name))).toBe(true);
    }
    const alarmWidget = widgets.find((w) => w.type === 'alarm');
    expect(alarmWidget?.properties.alarms).toHaveLength(alarmsOf(s).length);
  });
});
