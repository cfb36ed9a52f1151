import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { removalPolicyOf, resourceName, type ServiceConfig, stackName } from '../../config';

export interface AlarmTopicProps {
  readonly config: ServiceConfig;
}

/** The principal CloudWatch alarms publish as. */
const CLOUDWATCH = new ServicePrincipal('cloudwatch.amazonaws.com');

/**
 * The one SNS topic every alarm notifies (contract section 8): an existing one imported by
 * `alarmTopicArn` (a team's paging topic), else one the stack creates, encrypted with a
 * key of its own and refusing publishes without TLS. `alarmEmail` subscribes an address
 * to either (SNS sends it a confirmation link first).
 */
export class AlarmTopic extends Construct {
  readonly topic: ITopic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { config } = props;
    const { alarms } = config.settings;

    this.topic =
      alarms.topicArn !== undefined
        ? Topic.fromTopicArn(this, 'Topic', alarms.topicArn)
        : this.createTopic(config);
    if (alarms.email !== undefined) this.topic.addSubscription(new EmailSubscription(alarms.email));
  }

  private createTopic(config: ServiceConfig): Topic {
    const stack = Stack.of(this);
    // Only this account's alarms may publish: CloudWatch acts for any account, so the
    // service principal alone would be a confused deputy (CloudWatch's documented policy).
    const fromThisAccountsAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    // A key of our own: the AWS-managed SNS key's policy cannot let CloudWatch encrypt,
    // so alarms publishing to a topic under it would fail silently. CloudWatch uses it
    // only through the topic, whose policy admits this account's alarms alone; the key
    // grant carries no condition, as AWS documents it (a condition key missing from
    // SNS's call to KMS would silence every alarm).
    const key = new Key(this, 'Key', {
      description: `Encrypts the alarm notifications of ${stackName(config)}`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyOf(config),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [CLOUDWATCH],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new Topic(this, 'Topic', {
      topicName: resourceName(config, 'stripe-service-alarms'),
      displayName: `Stripe service alarms (${config.projectName} ${config.environmentName})`,
      masterKey: key,
      enforceSSL: true,
    });
    // The topic has a policy (the TLS rule), so CloudWatch's right to publish is stated.
    topic.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [CLOUDWATCH],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromThisAccountsAlarms,
      }),
    );
    return topic;
  }
}
