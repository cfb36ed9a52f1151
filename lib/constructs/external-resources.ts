import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import { type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BILLING_EVENTS_TOPIC_SUFFIX } from '../../lambda/shared/naming';
import { SECRETS, type SecretId } from '../../lambda/shared/secrets';
import { PRICES_TABLE, PRODUCTS_TABLE } from '../../lambda/shared/tables';
import { resourceName, type ServiceConfig } from '../config';

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
    const { config } = props;
    const overrides = config.settings.external;

    this.productsTable = Table.fromTableName(
      this,
      'ProductsTable',
      overrides.productsTableName ?? resourceName(config, PRODUCTS_TABLE.nameSuffix),
    );
    this.pricesTable = Table.fromTableName(
      this,
      'PricesTable',
      overrides.pricesTableName ?? resourceName(config, PRICES_TABLE.nameSuffix),
    );

    const topicArn =
      overrides.billingEventsTopicArn ??
      Stack.of(this).formatArn({
        service: 'sns',
        resource:
          overrides.billingEventsTopicName ?? resourceName(config, BILLING_EVENTS_TOPIC_SUFFIX),
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
    const combined = config.settings.combinedSecret;
    const secret = (secretId: SecretId, override: string | undefined): ExternalSecret => {
      if (combined !== undefined) {
        const name = combined.secretName;
        return { name, field: combined.fields[secretId], policyArn: policyArn(name) };
      }
      const name = override ?? resourceName(config, SECRETS[secretId].nameSuffix);
      return { name, policyArn: policyArn(name) };
    };
    this.secrets = {
      stripeSecretKey: secret('stripeSecretKey', overrides.stripeSecretKeySecretName),
      stripeWebhookSecret: secret('stripeWebhookSecret', overrides.stripeWebhookSecretName),
      jwtAccessTokenSecret: secret('jwtAccessTokenSecret', overrides.jwtAccessTokenSecretName),
    };
  }
}
