import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../../lambda/shared/function-environment';
import { OWNED_TABLES } from '../../../lambda/shared/tables';
import { createTableInput } from '../../../local/services/provision';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../../lib/config';
import {
  logicalId,
  resolved,
  resourcesOf,
  synthesize,
  synthesizeEveryEnvironment,
  withSettings,
} from '../../support/synth';

/**
 * The stack as a whole: its name, the tables it owns, its references to what other teams
 * own, and the schedules it runs. Its functions and API have tests of their own
 * (constructs/service-functions.test.ts, constructs/service-api.test.ts).
 */

jest.setTimeout(60_000);

const get = synthesizeEveryEnvironment();
const settingsOf = (env: EnvironmentName) => get(env).stack.config.settings;

describe.each(ENVIRONMENT_NAMES)('StripeServiceStack (%s)', (env) => {
  it('is named <project>-<env>-stripe-service', () => {
    expect(get(env).stack.stackName).toBe(`eislett-education-${env}-stripe-service`);
  });

  it('owns the customers table: userId key, stripeCustomerId-index GSI, on-demand, encrypted', () => {
    get(env).template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: `eislett-education-${env}-stripe-customers`,
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'userId', AttributeType: 'S' },
        { AttributeName: 'stripeCustomerId', AttributeType: 'S' },
      ]),
      GlobalSecondaryIndexes: [
        {
          IndexName: 'stripeCustomerId-index',
          KeySchema: [{ AttributeName: 'stripeCustomerId', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('owns the webhook idempotency table: eventId key and ttl time-to-live', () => {
    get(env).template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: `eislett-education-${env}-stripe-webhook-idempotency`,
      KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('owns the catalog sync table, keyed by the local price id', () => {
    get(env).template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: `eislett-education-${env}-stripe-catalog-sync`,
      KeySchema: [{ AttributeName: 'priceId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('owns the parked events table, keyed by the Stripe event id', () => {
    const { stack, template } = get(env);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: `eislett-education-${env}-stripe-parked-events`,
      KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
    });
    expect(resolved(stack, stack.tables.parkedEvents.tableName)).toEqual({
      Ref: logicalId(stack, stack.tables.parkedEvents),
    });
  });

  it('owns the per-user rate limits table: key, ttl time-to-live, and the data protection of the others', () => {
    const settings = settingsOf(env);
    const { stack, template } = get(env);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: `eislett-education-${env}-stripe-rate-limits`,
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
    });
    const [, table] =
      resourcesOf(template, 'AWS::DynamoDB::Table').find(
        ([id]) => id === logicalId(stack, stack.tables.userRateLimits),
      ) ?? [];
    // Retained in prod with point-in-time recovery, as every owned table is: a counter
    // table lost in a stack deletion is harmless, but one rule for all tables is simpler to audit.
    expect(table?.DeletionPolicy).toBe(settings.removalPolicy === 'retain' ? 'Retain' : 'Delete');
    expect(table?.Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: settings.pointInTimeRecovery,
    });
    expect(table?.Properties.DeletionProtectionEnabled).toBe(settings.deletionProtection);
  });

  it('creates the tables from the same definitions as the local run', () => {
    const tables = resourcesOf(get(env).template, 'AWS::DynamoDB::Table').map(
      ([, t]) => t.Properties,
    );
    for (const definition of OWNED_TABLES) {
      const local = createTableInput(
        definition,
        `eislett-education-${env}-${definition.nameSuffix}`,
      );
      const deployed = tables.find((t) => t.TableName === local.TableName);
      expect(deployed?.KeySchema).toEqual(local.KeySchema);
      expect(deployed?.GlobalSecondaryIndexes ?? []).toEqual(local.GlobalSecondaryIndexes ?? []);
      expect(new Set(deployed?.AttributeDefinitions as unknown[])).toEqual(
        new Set(local.AttributeDefinitions),
      );
    }
  });

  it('applies the environment data protection settings to every owned table', () => {
    const settings = settingsOf(env);
    const tables = resourcesOf(get(env).template, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(OWNED_TABLES.length);
    for (const [, table] of tables) {
      const policy = settings.removalPolicy === 'retain' ? 'Retain' : 'Delete';
      expect(table.DeletionPolicy).toBe(policy);
      expect(table.UpdateReplacePolicy).toBe(policy);
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: settings.pointInTimeRecovery,
      });
      expect(table.Properties.DeletionProtectionEnabled).toBe(settings.deletionProtection);
    }
  });

  it('creates no secret and puts no secret value in the template', () => {
    const { template } = get(env);
    expect(resourcesOf(template, 'AWS::SecretsManager::Secret')).toHaveLength(0);
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/resolve:secretsmanager/);
    expect(text).not.toMatch(/SecretString/);
    expect(text).not.toMatch(/sk_(test|live)_|whsec_/);
  });

  it('runs the reconciliation every reconcileIntervalMinutes on an EventBridge schedule', () => {
    const { stack, template } = get(env);
    const { intervalMinutes } = settingsOf(env).reconciliation;
    const rules = resourcesOf(template, 'AWS::Events::Rule');
    expect(rules).toHaveLength(2);
    const rule = rules.find(([id]) => id === logicalId(stack, stack.reconciliationSchedule.rule));
    expect(rule?.[1].Properties).toMatchObject({
      ScheduleExpression: `rate(${intervalMinutes} minutes)`,
      State: 'ENABLED',
      Targets: [
        expect.objectContaining({
          Arn: resolved(stack, stack.functions.reconcile.function.functionArn),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: resolved(stack, stack.functions.reconcile.function.functionArn),
      SourceArn: resolved(stack, stack.reconciliationSchedule.rule.ruleArn),
    });
  });

  it('runs the catalog snapshot every minute, a failed run not retried (the next one rebuilds)', () => {
    const { stack, template } = get(env);
    const rule = resourcesOf(template, 'AWS::Events::Rule').find(
      ([id]) => id === logicalId(stack, stack.catalogSnapshotSchedule.rule),
    );
    expect(rule?.[1].Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        expect.objectContaining({
          Arn: resolved(stack, stack.functions.catalogSnapshot.function.functionArn),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: resolved(stack, stack.functions.catalogSnapshot.function.functionName),
      MaximumRetryAttempts: 0,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.productsTable]: `eislett-education-${env}-products`,
          [ENV.pricesTable]: `eislett-education-${env}-prices`,
          [ENV.catalogSnapshotTable]: resolved(stack, stack.tables.catalogSnapshot.tableName),
        }),
      },
    });
  });

  it('scopes secret grants to the named secrets (Secrets Manager adds a 6-character suffix)', () => {
    const { stack } = get(env);
    const arn = JSON.stringify(
      resolved(stack, stack.external.secrets.stripeWebhookSecret.policyArn),
    );
    expect(arn).toContain(`:secret:eislett-education-${env}-stripe-webhook-secret-??????`);
  });
});

describe('StripeServiceStack configuration', () => {
  it('takes the project name from context', () => {
    const { stack, template } = synthesize('dev', { projectName: 'acme' });
    expect(stack.stackName).toBe('acme-dev-stripe-service');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'acme-dev-stripe-customers',
    });
  });

  it('takes every external name from per-environment overrides', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:111122223333:billing.fifo';
    const { stack, template } = synthesize(
      'staging',
      withSettings('staging', {
        external: {
          productsTableName: 'catalog-products',
          pricesTableName: 'catalog-prices',
          billingEventsTopicArn: topicArn,
          stripeSecretKeySecretName: 'ops/stripe-key',
          stripeWebhookSecretName: 'ops/stripe-webhook',
          jwtAccessTokenSecretName: 'ops/jwt',
        },
      }),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.productsTable]: 'catalog-products',
          [ENV.pricesTable]: 'catalog-prices',
          [ENV.jwtSecretName]: 'ops/jwt',
          [ENV.stripeSecretKeyName]: 'ops/stripe-key',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.billingEventsTopicArn]: topicArn,
          [ENV.stripeWebhookSecretName]: 'ops/stripe-webhook',
        }),
      },
    });
    expect(JSON.stringify(resolved(stack, stack.external.pricesTable.tableArn))).toContain(
      'table/catalog-prices',
    );
  });

  it('builds the topic ARN from a topic name override (a FIFO topic)', () => {
    const { template } = synthesize(
      'dev',
      withSettings('dev', { external: { billingEventsTopicName: 'events.fifo' } }),
    );
    expect(JSON.stringify(template.toJSON())).toContain(':events.fifo');
  });
});
