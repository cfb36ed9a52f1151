import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import { type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SecretId, SecretRef } from '../../lambda/shared/secrets';
import type { ServiceConfig } from '../config';
import { externalResourceNames } from '../external-resource-names';

export interface ExternalSecret {
  /** The secret's name, which the function gets (never its value). */
  readonly name: string;
  /** The field of a combined JSON secret that holds the value; absent for a secret of its own. */
  readonly field?: string;
  /**
   * The ARN to grant on. Secrets Manager appends six random characters to a secret's
   * name in its ARN, which a name-only reference cannot know, hence the `-??????`.
   */
  readonly policyArn: string;
}

export interface ExternalResourcesProps {
  readonly config: ServiceConfig;
}

/**
 * What other teams and operators own: the catalog tables (product and pricing services),
 * the billing events topic (entitlement processor) and the three secrets, or the one
 * combined secret holding all three values (`combinedSecretName`). Referenced by name or
 * ARN; this stack never creates, changes or deletes them.
 */
export class ExternalResources extends Construct {
  readonly productsTable: ITable;
  readonly pricesTable: ITable;
  readonly billingEventsTopic: ITopic;
  readonly secrets: Readonly<Record<SecretId, ExternalSecret>>;

  constructor(scope: Construct, id: string, props: ExternalResourcesProps) {
    super(scope, id);
    const names = externalResourceNames(props.config);
    this.productsTable = Table.fromTableName(this, 'ProductsTable', names.productsTable);
    this.pricesTable = Table.fromTableName(this, 'PricesTable', names.pricesTable);
    const topic = names.billingEventsTopic;
    const topicArn =
      'arn' in topic
        ? topic.arn
        : Stack.of(this).formatArn({
            service: 'sns',
            resource: topic.name,
            arnFormat: ArnFormat.NO_RESOURCE_NAME,
          });
    this.billingEventsTopic = Topic.fromTopicArn(this, 'BillingEventsTopic', topicArn);

    const policyArn = (name: string) =>
      Arn.format(
        {
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${name}-??????`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        },
        Stack.of(this),
      );
    const secret = ({ name, field }: SecretRef): ExternalSecret => ({
      name,
      ...(field !== undefined ? { field } : {}),
      policyArn: policyArn(name),
    });
    this.secrets = {
      stripeSecretKey: secret(names.secrets.stripeSecretKey),
      stripeWebhookSecret: secret(names.secrets.stripeWebhookSecret),
      jwtAccessTokenSecret: secret(names.secrets.jwtAccessTokenSecret),
    };
  }
}
