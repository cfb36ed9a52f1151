import { Match } from 'aws-cdk-lib/assertions';
import { ENVIRONMENT_NAMES } from '../../../../../lib/config';
import { alarmsOf } from '../../../../support/alarm-template';
import {
  logicalId,
  resolved,
  synthesize,
  synthesizeEveryEnvironment,
} from '../../../../support/synth';

jest.setTimeout(60_000);

const get = synthesizeEveryEnvironment({ bundling: false });

describe.each(ENVIRONMENT_NAMES)('AlarmTopic (%s)', (env) => {
  it('creates the alarm topic, encrypted with a rotating key CloudWatch may use, TLS only', () => {
    const s = get(env);
    const topicId = logicalId(s.stack, s.stack.monitoring.alarmTopic.topic);
    s.template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: `eislett-education-${env}-stripe-service-alarms`,
      KmsMasterKeyId: Match.anyValue(),
    });
    s.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: Match.objectLike({
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            }),
          }),
        ]),
      },
    });
    // No address unless alarmEmail is given.
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('AlarmTopic configuration', () => {
  const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:ops-paging';

  it('notifies an existing topic given by alarmTopicArn, creating none', () => {
    const s = synthesize('prod', { alarmTopicArn: TOPIC }, { bundling: false });
    s.template.resourceCountIs('AWS::SNS::Topic', 0);
    s.template.resourceCountIs('AWS::KMS::Key', 0);
    for (const a of alarmsOf(s)) {
      expect(a.AlarmActions).toEqual([TOPIC]);
      expect(a.OKActions).toEqual([TOPIC]);
    }
  });

  it.each([
    ['the created topic', {}],
    ['an imported topic', { alarmTopicArn: TOPIC }],
  ])('subscribes alarmEmail to %s', (_name, context) => {
    const s = synthesize(
      'dev',
      { ...context, alarmEmail: 'oncall@example.com' },
      { bundling: false },
    );
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: resolved(s.stack, s.stack.monitoring.alarmTopic.topic.topicArn),
    });
  });
});
