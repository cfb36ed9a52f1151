import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { METRICS, type MetricName } from '../../../../../lambda/domain/metrics';
import { OWNED_TABLES } from '../../../../../lambda/shared/tables';
import { ENVIRONMENT_NAMES } from '../../../../../lib/config';
import type { ServiceFunction } from '../../../../../lib/constructs/service-function';
import { DYNAMODB_OPERATIONS } from '../../../../../lib/constructs/monitoring/dynamodb-metrics';
import { WEBHOOK_SERVER_ERROR_ANSWERS } from '../../../../../lib/constructs/monitoring/service-metric-factory';
import { USER_RATE_LIMITED_ALARM_THRESHOLD } from '../../../../../lib/constructs/monitoring/alarms/api-alarms';
import {
  resolved,
  resourcesOf,
  type Synthesized,
  synthesize,
  synthesizeEveryEnvironment,
  withSettings,
} from '../../../../support/synth';
import { PROJECT_ROOT } from '../../../../support/cdk-json';
import {
  alarm,
  type AlarmProperties,
  alarmsOf,
  type MetricStat,
} from '../../../../support/alarm-template';

jest.setTimeout(60_000);

/** The metrics a math alarm is computed from, by id. */
const inputs = (a: AlarmProperties): Record<string, MetricStat['Metric']> =>
  Object.fromEntries(
    (a.Metrics ?? []).flatMap((m) => (m.MetricStat ? [[m.Id, m.MetricStat.Metric]] : [])),
  );
const expressionOf = (a: AlarmProperties) => a.Metrics?.find((m) => m.Expression)?.Expression;
/** A plain alarm's period, or the one period of every input of a math alarm. */
function periodOf(a: AlarmProperties): number | undefined {
  if (a.Period !== undefined) return a.Period;
  const periods = new Set(
    (a.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Period] : [])),
  );
  expect(periods.size).toBe(1);
  return [...periods][0];
}

const get = synthesizeEveryEnvironment({ bundling: false });

describe.each(ENVIRONMENT_NAMES)('monitoring (%s)', (env) => {
  const namespace = `eislett-education-${env}-stripe-service`;
  const environmentDimension = [{ Name: 'environment', Value: env }];
  const topicRef = (s: Synthesized) =>
    resolved(s.stack, s.stack.monitoring.alarmTopic.topic.topicArn);
  /** A "failing" alarm: the service's failure count plus the function's Errors, at ≥ 1. */
  const expectFailuresPlusErrors = (
    s: Synthesized,
    name: string,
    expected: { failures: [id: string, metric: string]; fn: ServiceFunction },
  ): AlarmProperties => {
    const a = alarm(s, name);
    const [id, metric] = expected.failures;
    expect(expressionOf(a)).toBe(`FILL(${id}, 0) + FILL(functionErrors, 0)`);
    expect(inputs(a)[id]).toEqual({
      Namespace: namespace,
      MetricName: metric,
      Dimensions: environmentDimension,
    });
    expect(inputs(a).functionErrors).toMatchObject({
      MetricName: 'Errors',
      Dimensions: [
        { Name: 'FunctionName', Value: resolved(s.stack, expected.fn.function.functionName) },
      ],
    });
    return a;
  };

  it('sends every alarm to the one alarm topic, in alarm and back to OK, with a runbook pointer', () => {
    const s = get(env);
    const alarms = alarmsOf(s);
    expect(alarms.length).toBeGreaterThanOrEqual(9 + OWNED_TABLES.length);
    for (const a of alarms) {
      expect(a.AlarmActions).toEqual([topicRef(s)]);
      expect(a.OKActions).toEqual([topicRef(s)]);
      expect(a.AlarmDescription).toContain(
        `RUNBOOK.md, "${a.AlarmName.replace(/^.*?-(stripe-)/, '$1')}"`,
      );
      expect(a.AlarmName).toMatch(new RegExp(`^eislett-education-${env}-stripe-`));
    }
  });

  it('alarms on webhook 5xx answers or webhook function errors: ≥ 1 in 5 minutes', () => {
    const s = get(env);
    const a = alarm(s, 'webhook-failing');
    expect(expressionOf(a)).toBe('FILL(answers5xx, 0) + FILL(functionErrors, 0)');
    expect(inputs(a).answers5xx).toEqual({
      Namespace: namespace,
      MetricName: WEBHOOK_SERVER_ERROR_ANSWERS,
    });
    expect(inputs(a).functionErrors).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [
        {
          Name: 'FunctionName',
          Value: resolved(s.stack, s.stack.functions.webhook.function.functionName),
        },
      ],
    });
    expect(a).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(periodOf(a)).toBe(300);
  });

  it('counts the webhook 5xx answers from the access log, whoever answered', () => {
    const s = get(env);
    s.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: resolved(s.stack, s.stack.api.accessLogGroup.logGroupName),
      FilterPattern: '{ ($.routeKey = "POST /stripe/webhook") && ($.status = "5*") }',
      MetricTransformations: [
        { MetricNamespace: namespace, MetricName: WEBHOOK_SERVER_ERROR_ANSWERS, MetricValue: '1' },
      ],
    });
  });

  it('alarms on any parked event', () => {
    expect(alarm(get(env), 'events-parked')).toMatchObject({
      Namespace: namespace,
      MetricName: METRICS.eventsParked,
      Dimensions: environmentDimension,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on signature rejections at the environment threshold', () => {
    const s = get(env);
    expect(alarm(s, 'signature-rejections')).toMatchObject({
      Namespace: namespace,
      MetricName: METRICS.webhookSignatureRejected,
      Dimensions: environmentDimension,
      Statistic: 'Sum',
      Period: 300,
      Threshold: s.stack.config.settings.alarms.signatureRejectionThreshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on a failed reconciliation run: its failure count or the function errors, per interval', () => {
    const s = get(env);
    const a = expectFailuresPlusErrors(s, 'reconcile-failing', {
      failures: ['runFailures', METRICS.reconciliationFailures],
      fn: s.stack.functions.reconcile,
    });
    expect(periodOf(a)).toBe(s.stack.config.settings.reconciliation.intervalMinutes * 60);
    expect(a).toMatchObject({ Threshold: 1, TreatMissingData: 'notBreaching' });
  });

  it('alarms when no reconciliation ran for two intervals, counting no data as none', () => {
    const s = get(env);
    expect(alarm(s, 'reconcile-not-running')).toMatchObject({
      Namespace: namespace,
      MetricName: METRICS.reconciliationRuns,
      Dimensions: environmentDimension,
      Statistic: 'Sum',
      Period: 2 * s.stack.config.settings.reconciliation.intervalMinutes * 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('alarms when no catalog snapshot pass completed for two minutes, counting no data as none', () => {
    const s = get(env);
    expect(alarm(s, 'catalog-snapshot-stale')).toMatchObject({
      Namespace: namespace,
      MetricName: METRICS.catalogSnapshotRefreshes,
      Dimensions: environmentDimension,
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
    });
  });

  it('alarms on a failed catalog snapshot pass or function error', () => {
    const s = get(env);
    const a = expectFailuresPlusErrors(s, 'catalog-snapshot-failing', {
      failures: ['passFailures', METRICS.catalogSnapshotFailures],
      fn: s.stack.functions.catalogSnapshot,
    });
    expect(a).toMatchObject({ Threshold: 1, TreatMissingData: 'notBreaching' });
  });

  it('alarms on the API 5xx rate, over a minimum of requests, for 10 minutes', () => {
    const s = get(env);
    const a = alarm(s, 'api-5xx-rate');
    expect(expressionOf(a)).toBe('IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)');
    const apiId = [{ Name: 'ApiId', Value: resolved(s.stack, s.stack.api.httpApi.apiId) }];
    expect(inputs(a).errors).toEqual({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: apiId,
    });
    expect(inputs(a).requests).toEqual({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Count',
      Dimensions: apiId,
    });
    expect(a).toMatchObject({
      Threshold: s.stack.config.settings.alarms.apiServerErrorRatePercent,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    expect(periodOf(a)).toBe(300);
  });

  it("alarms on any request Stripe's rate limits refused after the retries", () => {
    const s = get(env);
    expect(alarm(s, 'api-stripe-rate-limited')).toMatchObject({
      MetricName: METRICS.stripeRateLimited,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(periodOf(alarm(s, 'api-stripe-rate-limited'))).toBe(300);
  });

  /** The alarms on one count of the service's own, summed over their period. */
  const countAlarms: readonly [string, string, MetricName, number, (s: Synthesized) => number][] = [
    [
      'any price listing answered stale (stale-if-error hides its 5xx)',
      'api-prices-served-stale',
      METRICS.priceListingServedStale,
      1,
      () => 300,
    ],
    [
      'callers refused by the per-user limit, above a stray retry',
      'api-user-rate-limited',
      METRICS.userRateLimited,
      USER_RATE_LIMITED_ALARM_THRESHOLD,
      () => 300,
    ],
    [
      'any request the per-user limiter failed to count (it fails open)',
      'api-rate-limiter-failing',
      METRICS.userRateLimiterFailures,
      1,
      () => 300,
    ],
    [
      'any subscription state the state check healed, once per reconciliation interval',
      'subscription-state-healed',
      METRICS.subscriptionStatesHealed,
      1,
      (s) => s.stack.config.settings.reconciliation.intervalMinutes * 60,
    ],
  ];

  it.each(countAlarms)('alarms on %s', (_, name, metric, threshold, period) => {
    const s = get(env);
    const a = alarm(s, name);
    expect(a).toMatchObject({
      Namespace: namespace,
      MetricName: metric,
      Dimensions: environmentDimension,
      Statistic: 'Sum',
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(periodOf(a)).toBe(period(s));
  });

  it.each(['api', 'webhook', 'reconcile'] as const)(
    'alarms on any throttle of the %s function',
    (fnId) => {
      const s = get(env);
      expect(alarm(s, `${fnId}-throttled`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: [
          {
            Name: 'FunctionName',
            Value: resolved(s.stack, s.stack.functions[fnId].function.functionName),
          },
        ],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    },
  );

  it('alarms on throttled or failed DynamoDB requests on every owned table', () => {
    const s = get(env);
    expect(s.stack.tables.owned.map((t) => t.definition)).toEqual([...OWNED_TABLES]);
    for (const { table, definition } of s.stack.tables.owned) {
      const a = alarm(
        s,
        `${definition.nameSuffix.replace(/^stripe-/, '')}-table-throttled-or-failing`,
      );
      const tableName = resolved(s.stack, table.tableName);
      const metrics = Object.values(inputs(a));
      const names = metrics.map((m) => m.MetricName);
      expect(names.filter((n) => n === 'SystemErrors')).toHaveLength(DYNAMODB_OPERATIONS.length);
      expect(names).toEqual(expect.arrayContaining(['ReadThrottleEvents', 'WriteThrottleEvents']));
      for (const m of metrics) {
        expect(m.Namespace).toBe('AWS/DynamoDB');
        expect(m.Dimensions).toContainEqual({ Name: 'TableName', Value: tableName });
      }
      // Every input is in the sum.
      expect(expressionOf(a)?.split(' + ')).toHaveLength(metrics.length);
      expect(metrics.length).toBeLessThanOrEqual(10); // CloudWatch's limit for one alarm
      expect(a).toMatchObject({ Threshold: 1, TreatMissingData: 'notBreaching' });
      expect(periodOf(a)).toBe(300);
    }
  });
});

describe('RUNBOOK.md', () => {
  const runbook = fs.readFileSync(path.join(PROJECT_ROOT, 'RUNBOOK.md'), 'utf8');
  const headings = runbook.split('\n').filter((line) => line.startsWith('### '));

  it('has a section for every alarm, under the name its description points to', () => {
    const s = get('prod');
    for (const { AlarmName } of alarmsOf(s)) {
      const name = AlarmName.replace('eislett-education-prod-', '');
      const table = /^stripe-(.+)-table-throttled-or-failing$/.exec(name)?.[1];
      if (table !== undefined) {
        // One section for the tables' alarms, naming each table.
        expect(headings).toContain('### stripe-&lt;table&gt;-table-throttled-or-failing');
        expect(runbook).toContain(`\`${table}\``);
      } else {
        expect(headings.some((heading) => heading.includes(name))).toBe(true);
      }
    }
  });

  it('is linked from the README', () => {
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('(RUNBOOK.md)');
  });
});

describe('monitoring configuration', () => {
  it('follows reconcileIntervalMinutes: the schedule, the function, both reconciliation alarms', () => {
    const s = synthesize('staging', { reconcileIntervalMinutes: '5' }, { bundling: false });
    expect(resourcesOf(s.template, 'AWS::Events::Rule')[0]?.[1].Properties.ScheduleExpression).toBe(
      'rate(5 minutes)',
    );
    expect(alarm(s, 'reconcile-not-running').Period).toBe(600);
    expect(periodOf(alarm(s, 'reconcile-failing'))).toBe(300);
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'eislett-education-staging-stripe-reconcile',
      Environment: { Variables: Match.objectLike({ RECONCILE_INTERVAL_MINUTES: '5' }) },
    });
  });

  it('has no per-user limit alarms where the limit is off', () => {
    const s = synthesize('prod', withSettings('prod', { userRateLimit: false }), {
      bundling: false,
    });
    const names = alarmsOf(s).map((a) => a.AlarmName);
    expect(names.filter((name) => /user-rate-limited|rate-limiter-failing/.test(name))).toEqual([]);
    // The table stays, and so does its DynamoDB alarm.
    expect(names).toContain('eislett-education-prod-stripe-rate-limits-table-throttled-or-failing');
  });

  it('takes the signature rejection threshold per deployment', () => {
    const s = synthesize('prod', { signatureRejectionAlarmThreshold: '3' }, { bundling: false });
    expect(alarm(s, 'signature-rejections').Threshold).toBe(3);
  });
});
