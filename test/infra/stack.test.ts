import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambda/shared/function-environment';
import { ALL_ROUTES, ROUTES, routeKey } from '../../lambda/shared/routes';
import { CUSTOMERS_BY_STRIPE_ID_INDEX, OWNED_TABLES } from '../../lambda/shared/tables';
import { createTableInput } from '../../local/services/provision';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../lib/config';
import type { ServiceFunction } from '../../lib/constructs/service-function';
import {
  logicalId,
  resolved,
  resourcesOf,
  type Synthesized,
  synthesize,
  withSettings,
} from './synth';

interface StageProperties {
  readonly StageName: string;
  readonly AutoDeploy: boolean;
  readonly DefaultRouteSettings: unknown;
  readonly AccessLogSettings: { readonly DestinationArn: unknown; readonly Format: string };
}

jest.setTimeout(60_000);

const synthesized = new Map<EnvironmentName, Synthesized>();
beforeAll(() => {
  for (const env of ENVIRONMENT_NAMES) synthesized.set(env, synthesize(env));
});
const get = (env: EnvironmentName): Synthesized => {
  const result = synthesized.get(env);
  if (!result) throw new Error(`not synthesized: ${env}`);
  return result;
};
const settingsOf = (env: EnvironmentName) => get(env).stack.config.settings;

/** Every (action, resource) pair a function's role may do, resolved to template form. */
function permissions({ stack, template }: Synthesized, fn: ServiceFunction): Set<string> {
  const roleId = logicalId(stack, fn.role);
  const pairs = new Set<string>();
  for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
    const roles = policy.Properties.Roles as { Ref: string }[];
    if (!roles.some((role) => role.Ref === roleId)) continue;
    const document = policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] };
    for (const statement of document.Statement) {
      expect(statement.Effect).toBe('Allow');
      const actions = [statement.Action].flat() as string[];
      const resources = [statement.Resource].flat();
      for (const action of actions)
        for (const resource of resources) pairs.add(`${action} ${JSON.stringify(resource)}`);
    }
  }
  return pairs;
}
const expected = (s: Synthesized, grants: [string[], unknown[]][]): Set<string> =>
  new Set(
    grants.flatMap(([actions, resources]) =>
      actions.flatMap((action) =>
        resources.map((resource) => `${action} ${JSON.stringify(resolved(s.stack, resource))}`),
      ),
    ),
  );

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

  it('gives functions secret names only, never values', () => {
    const { template } = get(env);
    const variables = resourcesOf(template, 'AWS::Lambda::Function').map(
      ([, fn]) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    );
    const names = variables.flatMap((vars) =>
      [ENV.stripeSecretKeyName, ENV.stripeWebhookSecretName, ENV.jwtSecretName].flatMap((key) =>
        vars[key] === undefined ? [] : [vars[key]],
      ),
    );
    expect(new Set(names)).toEqual(
      new Set([
        `eislett-education-${env}-stripe-secret-key`,
        `eislett-education-${env}-stripe-webhook-secret`,
        `eislett-education-${env}-jwt-access-token-secret`,
      ]),
    );
    for (const vars of variables) {
      for (const key of Object.keys(vars))
        expect(key).not.toMatch(
          /^(STRIPE_SECRET_KEY|STRIPE_WEBHOOK_SECRET|JWT_ACCESS_TOKEN_SECRET)$/,
        );
    }
  });

  it('runs both functions on the newest Node.js runtime, arm64, with the environment memory and timeout', () => {
    const settings = settingsOf(env);
    const functions = resourcesOf(get(env).template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(2);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: settings.lambdaMemoryMb,
        Timeout: settings.lambdaTimeoutSeconds,
        Handler: 'index.handler',
      });
      const { Variables } = fn.Properties.Environment as { Variables: Record<string, string> };
      expect(Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('gives each function its own log group with the environment retention', () => {
    const { stack, template } = get(env);
    const functions = [
      [stack.functions.api, `eislett-education-${env}-stripe-api`],
      [stack.functions.webhook, `eislett-education-${env}-stripe-webhook`],
    ] as const;
    for (const [fn, name] of functions) {
      const logGroupId = logicalId(stack, fn.logGroup);
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/lambda/${name}`,
        RetentionInDays: settingsOf(env).logRetentionDays,
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: name,
        LoggingConfig: { LogGroup: { Ref: logGroupId } },
      });
    }
  });

  it('bundles minified code with a source map, locally', () => {
    const { template, outdir } = get(env);
    for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      const s3Key = (fn.Properties.Code as { S3Key: string }).S3Key;
      const dir = path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
      const code = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
      expect(fs.existsSync(path.join(dir, 'index.js.map'))).toBe(true);
      // Minified: few, long lines.
      expect(code.split('\n').length).toBeLessThan(code.length / 500);
    }
  });
  it('grants the API function exactly what it uses', () => {
    const s = get(env);
    const { tables, external, functions } = s.stack;
    expect(permissions(s, functions.api)).toEqual(
      expected(s, [
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [functions.api.logGroup.logGroupArn]],
        [
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          [tables.customers.tableArn],
        ],
        [['dynamodb:GetItem', 'dynamodb:PutItem'], [tables.catalogSync.tableArn]],
        [
          [
            'dynamodb:GetItem',
            'dynamodb:BatchGetItem',
            'dynamodb:Query',
            'dynamodb:Scan',
            'dynamodb:UpdateItem',
          ],
          [external.productsTable.tableArn, external.pricesTable.tableArn],
        ],
        [
          ['secretsmanager:GetSecretValue'],
          [
            external.secrets.stripeSecretKey.policyArn,
            external.secrets.jwtAccessTokenSecret.policyArn,
          ],
        ],
      ]),
    );
  });

  it('grants the webhook function exactly what it uses', () => {
    const s = get(env);
    const { tables, external, functions } = s.stack;
    expect(permissions(s, functions.webhook)).toEqual(
      expected(s, [
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [functions.webhook.logGroup.logGroupArn]],
        [
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          [tables.webhookIdempotency.tableArn],
        ],
        [
          ['dynamodb:Query'],
          [`${tables.customers.tableArn}/index/${CUSTOMERS_BY_STRIPE_ID_INDEX.indexName}`],
        ],
        [['sns:Publish'], [external.billingEventsTopic.topicArn]],
        [['secretsmanager:GetSecretValue'], [external.secrets.stripeWebhookSecret.policyArn]],
      ]),
    );
  });

  it('uses no wildcard action and no managed policy anywhere', () => {
    const { template } = get(env);
    for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
      const document = policy.Properties.PolicyDocument as {
        Statement: { Action: string | string[] }[];
      };
      for (const statement of document.Statement) {
        for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
      }
    }
    for (const [, role] of resourcesOf(template, 'AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('scopes secret grants to the named secrets (Secrets Manager adds a 6-character suffix)', () => {
    const { stack } = get(env);
    const arn = JSON.stringify(
      resolved(stack, stack.external.secrets.stripeWebhookSecret.policyArn),
    );
    expect(arn).toContain(`:secret:eislett-education-${env}-stripe-webhook-secret-??????`);
  });

  it('points the webhook function at the billing events topic ARN', () => {
    const { stack, template } = get(env);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `eislett-education-${env}-stripe-webhook`,
      Environment: {
        Variables: Match.objectLike({
          [ENV.billingEventsTopicArn]: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':sns:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                `:eislett-education-${env}-billing-events`,
              ],
            ],
          },
          [ENV.idempotencyTable]: resolved(stack, stack.tables.webhookIdempotency.tableName),
          [ENV.customersTable]: resolved(stack, stack.tables.customers.tableName),
        }),
      },
    });
  });

  it('routes every contract route to its function on an HTTP API', () => {
    const { stack, template } = get(env);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(ALL_ROUTES.map(routeKey).sort());

    const integrations = Object.fromEntries(
      resourcesOf(template, 'AWS::ApiGatewayV2::Integration').map(([id, i]) => [
        id,
        i.Properties.IntegrationUri,
      ]),
    );
    for (const route of ALL_ROUTES) {
      const target = routes.find((r) => r.RouteKey === routeKey(route))?.Target as {
        'Fn::Join': [string, string[]];
      };
      const integrationId = (target['Fn::Join'][1][1] as unknown as { Ref: string }).Ref;
      const fn = route.function === 'api' ? stack.functions.api : stack.functions.webhook;
      expect(integrations[integrationId]).toEqual(resolved(stack, fn.function.functionArn));
    }
  });

  it('throttles the stage and writes JSON access logs with the request id', () => {
    const settings = settingsOf(env);
    const { stack, template } = get(env);
    const stages = resourcesOf(template, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.[1].Properties as unknown as StageProperties;
    expect(stage.StageName).toBe('$default');
    expect(stage.AutoDeploy).toBe(true);
    expect(stage.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: settings.apiThrottling.rateLimit,
      ThrottlingBurstLimit: settings.apiThrottling.burstLimit,
    });
    expect(stage.AccessLogSettings.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalId(stack, stack.api.accessLogGroup), 'Arn'],
    });
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(JSON.stringify(format)).not.toMatch(/authorization|header|body/i);
  });

  it('outputs the API base URL and the full webhook URL', () => {
    const { stack, template } = get(env);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const apiId = logicalId(stack, stack.api.httpApi);
    expect(outputs.ApiUrl?.Value).toEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
    expect(outputs.WebhookUrl?.Value).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }, ROUTES.stripeWebhook.path]],
    });
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
