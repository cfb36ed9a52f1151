import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { METRICS } from '../../../../lambda/domain/metrics';
import { ENV } from '../../../../lambda/shared/function-environment';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../../../lambda/stripe-events/billing-event-mapping';
import {
  EVENT_BRIDGE_MAX_EVENT_AGE,
  EVENT_BRIDGE_RETRY_ATTEMPTS,
} from '../../../../lib/constructs/stripe-event-bridge';
import {
  logicalId,
  resolved,
  resourcesOf,
  type Synthesized,
  synthesize,
} from '../../../support/synth';
import { permissions } from '../../../support/iam-permissions';
import { PROJECT_ROOT } from '../../../support/cdk-json';

jest.setTimeout(120_000);

const SOURCE = 'aws.partner/stripe.com/ed_test_123';

let withBridge: Synthesized;
let without: Synthesized;
beforeAll(() => {
  // Bundled (the new function's code included), and through cdk-nag: synthesis throws on
  // any unacknowledged finding.
  withBridge = synthesize('prod', { eventBridgeSource: SOURCE });
  without = synthesize('prod', {}, { bundling: false });
});

describe('Stripe events through EventBridge (context eventBridgeSource)', () => {
  it('creates the partner event bus of the partner event source, and no bus policy', () => {
    withBridge.template.resourceCountIs('AWS::Events::EventBus', 1);
    withBridge.template.hasResourceProperties('AWS::Events::EventBus', {
      Name: SOURCE,
      EventSourceName: SOURCE,
    });
    withBridge.template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    const [[, bus] = []] = resourcesOf(withBridge.template, 'AWS::Events::EventBus');
    expect(bus?.Properties.Policy).toBeUndefined();
  });

  it('has one rule on it: this source, this account, the handled types (snapshot and thin)', () => {
    const { stack, template } = withBridge;
    const bridge = stack.eventBridge;
    if (!bridge) throw new Error('no event bridge');
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'eislett-education-prod-stripe-event-bridge-events',
      EventBusName: { Ref: logicalId(stack, bridge.bus) },
      EventPattern: {
        source: [SOURCE],
        account: [{ Ref: 'AWS::AccountId' }],
        'detail-type': [
          ...HANDLED_STRIPE_EVENT_TYPES,
          ...HANDLED_STRIPE_EVENT_TYPES.map((type) => `v1.${type}`),
        ],
      },
    });
  });

  it('targets the function with a dead-letter queue and a retry policy for deliveries Lambda refused', () => {
    const { stack, template } = withBridge;
    const bridge = stack.eventBridge;
    const fn = stack.functions.eventBridge;
    if (!bridge || !fn) throw new Error('no event bridge');
    const queueArn = resolved(stack, bridge.deadLetterQueue.queueArn);
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        {
          Arn: resolved(stack, fn.function.functionArn),
          Id: Match.anyValue(),
          DeadLetterConfig: { Arn: queueArn },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        },
      ],
    });
    // EventBridge may send to the queue for this rule only.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': resolved(stack, bridge.rule.ruleArn) } },
          }),
        ]),
      },
    });
  });

  it('keeps failed events in one encrypted, TLS-only queue for two weeks', () => {
    withBridge.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'eislett-education-prod-stripe-event-bridge-dead-letters',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    withBridge.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    // Production keeps it with the stack's data.
    withBridge.template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
  });

  it('retries a failed invocation twice within 6 hours, then sends it to the same queue', () => {
    const { stack, template } = withBridge;
    const bridge = stack.eventBridge;
    const fn = stack.functions.eventBridge;
    if (!bridge || !fn) throw new Error('no event bridge');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: resolved(stack, fn.function.functionName),
      MaximumRetryAttempts: EVENT_BRIDGE_RETRY_ATTEMPTS,
      MaximumEventAgeInSeconds: EVENT_BRIDGE_MAX_EVENT_AGE.toSeconds(),
      DestinationConfig: {
        OnFailure: { Destination: resolved(stack, bridge.deadLetterQueue.queueArn) },
      },
    });
    expect(EVENT_BRIDGE_RETRY_ATTEMPTS).toBe(2);
    expect(EVENT_BRIDGE_MAX_EVENT_AGE.toHours()).toBe(6);
  });

  it("is a function of its own with the webhook's pipeline settings and the source", () => {
    withBridge.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'eislett-education-prod-stripe-event-bridge',
      Environment: {
        Variables: Match.objectLike({
          [ENV.eventBridgeSource]: SOURCE,
          [ENV.eventLedgerTable]: Match.anyValue(),
          [ENV.parkedEventsTable]: Match.anyValue(),
          [ENV.subscriptionOrderTable]: Match.anyValue(),
          [ENV.billingEventsTopicArn]: Match.anyValue(),
          [ENV.stripeSecretKeyName]: 'eislett-education-prod-stripe-secret-key',
        }),
      },
    });
    const [, fn] =
      resourcesOf(withBridge.template, 'AWS::Lambda::Function').find(
        ([, f]) => f.Properties.FunctionName === 'eislett-education-prod-stripe-event-bridge',
      ) ?? [];
    const variables = (fn?.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(variables[ENV.stripeWebhookSecretName]).toBeUndefined();
  });

  it('may do what the webhook does, but read the webhook signing secret, and send to its queue', () => {
    const s = withBridge;
    const { functions, external } = s.stack;
    const bridge = s.stack.eventBridge;
    const fn = functions.eventBridge;
    if (!bridge || !fn) throw new Error('no event bridge');
    const asTemplate = (value: unknown) => JSON.stringify(resolved(s.stack, value));
    const webhook = [...permissions(s, functions.webhook)]
      .filter((p) => !p.startsWith('logs:'))
      .filter(
        (p) =>
          p !==
          `secretsmanager:GetSecretValue ${asTemplate(external.secrets.stripeWebhookSecret.policyArn)}`,
      );
    const queue = asTemplate(bridge.deadLetterQueue.queueArn);
    expect(permissions(s, fn)).toEqual(
      new Set([
        ...webhook,
        `logs:CreateLogStream ${asTemplate(fn.logGroup.logGroupArn)}`,
        `logs:PutLogEvents ${asTemplate(fn.logGroup.logGroupArn)}`,
        `sqs:SendMessage ${queue}`,
        `sqs:GetQueueAttributes ${queue}`,
        `sqs:GetQueueUrl ${queue}`,
      ]),
    );
  });

  it('alarms on dead letters, function errors, rejected events and throttles', () => {
    const alarms = resourcesOf(withBridge.template, 'AWS::CloudWatch::Alarm').map(
      ([, a]) => a.Properties,
    );
    const named = (suffix: string) => {
      const alarm = alarms.find(
        (a) => a.AlarmName === `eislett-education-prod-stripe-event-bridge-${suffix}`,
      );
      if (!alarm) throw new Error(`no alarm ${suffix}`);
      return alarm;
    };
    expect(named('dead-letters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(named('failing')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Threshold: 1,
    });
    expect(named('rejected')).toMatchObject({
      Namespace: 'eislett-education-prod-stripe-service',
      MetricName: METRICS.eventBridgeRejected,
      Dimensions: [{ Name: 'environment', Value: 'prod' }],
      Threshold: 1,
    });
    expect(named('throttled')).toMatchObject({ MetricName: 'Throttles' });
  });

  it('has a runbook section for each of its alarms', () => {
    const runbook = fs.readFileSync(path.join(PROJECT_ROOT, 'RUNBOOK.md'), 'utf8');
    const headings = runbook.split('\n').filter((line) => line.startsWith('### '));
    const names = resourcesOf(withBridge.template, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => String(a.Properties.AlarmName))
      .filter((name) => name.includes('event-bridge'))
      .map((name) => name.replace('eislett-education-prod-', ''));
    expect(names).toHaveLength(4);
    for (const name of names) expect(headings.some((h) => h.includes(name))).toBe(true);
  });

  it('draws its metrics on the dashboard', () => {
    const [[, dashboard] = []] = resourcesOf(withBridge.template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const name of [
      METRICS.eventBridgeReceived,
      METRICS.eventBridgeRejected,
      METRICS.eventBridgeDuplicate,
      'ApproximateNumberOfMessagesVisible',
      'MatchedEvents',
      'FailedInvocations',
    ]) {
      expect(body).toContain(name);
    }
  });

  it('creates none of it without the context', () => {
    const { template, stack } = without;
    for (const type of ['AWS::Events::EventBus', 'AWS::SQS::Queue']) {
      template.resourceCountIs(type, 0);
    }
    // The schedules' functions have retry settings of their own; nothing has a destination.
    for (const [, config] of resourcesOf(template, 'AWS::Lambda::EventInvokeConfig')) {
      expect(config.Properties.DestinationConfig).toBeUndefined();
    }
    expect(
      resourcesOf(template, 'AWS::Events::Rule').map(([, r]) => r.Properties.EventBusName),
    ).toEqual([undefined, undefined]);
    expect(stack.eventBridge).toBeUndefined();
    expect(stack.functions.eventBridge).toBeUndefined();
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toContain('event-bridge');
    expect(text).not.toContain('EventBridgeEvents');
  });
});
