import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../../../lambda/shared/function-environment';
import { CUSTOMERS_BY_STRIPE_ID_INDEX } from '../../../../lambda/shared/tables';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../../../lib/config';
import { catalogWriteBackConditions } from '../../../../lib/constructs/catalog-access';
import type { ServiceFunction } from '../../../../lib/constructs/service-function';
import { CATALOG_SNAPSHOT_TIMEOUT_SECONDS } from '../../../../lib/constructs/service-functions';
import { expected, type Grant, permission, permissions } from '../../../support/iam-permissions';
import {
  logicalId,
  resolved,
  resourcesOf,
  type Synthesized,
  synthesize,
  synthesizeEveryEnvironment,
  withSettings,
} from '../../../support/synth';

/**
 * The functions as the stack deploys them (ServiceFunctions, ServiceFunction): runtime,
 * bundles, log groups, settings, and exactly what each may do.
 */

jest.setTimeout(60_000);

const get = synthesizeEveryEnvironment();
const settingsOf = (env: EnvironmentName) => get(env).stack.config.settings;

describe.each(ENVIRONMENT_NAMES)('ServiceFunctions (%s)', (env) => {
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
      // Three secrets of their own: no field of a combined secret.
      for (const key of [
        ENV.stripeSecretKeyField,
        ENV.stripeWebhookSecretField,
        ENV.jwtSecretField,
      ]) {
        expect(vars[key]).toBeUndefined();
      }
      // No token issuer or audience is required unless configured.
      expect(vars[ENV.jwtIssuer]).toBeUndefined();
      expect(vars[ENV.jwtAudience]).toBeUndefined();
    }
  });

  it('runs the four functions on the newest Node.js runtime, arm64, with the environment memory and timeout', () => {
    const settings = settingsOf(env);
    const { stack } = get(env);
    const functions = resourcesOf(get(env).template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(4);
    // The HTTP functions fit API Gateway's 29 s; a reconciliation run may take minutes; the
    // catalog snapshot makes two passes in its minute.
    const timeouts: Record<string, number> = {
      [logicalId(stack, stack.functions.reconcile.function)]:
        settings.reconciliation.timeoutSeconds,
      [logicalId(stack, stack.functions.catalogSnapshot.function)]:
        CATALOG_SNAPSHOT_TIMEOUT_SECONDS,
    };
    for (const [id, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: settings.lambdaMemoryMb,
        Timeout: timeouts[id] ?? settings.lambdaTimeoutSeconds,
        Handler: 'index.handler',
      });
      const { Variables } = fn.Properties.Environment as { Variables: Record<string, string> };
      // Source maps ship but are not applied at run time (lib/bundling.ts says why).
      expect(Variables.NODE_OPTIONS).toBeUndefined();
    }
  });

  it('gives each function its own log group with the environment retention', () => {
    const { stack, template } = get(env);
    const functions = [
      [stack.functions.api, `eislett-education-${env}-stripe-api`],
      [stack.functions.webhook, `eislett-education-${env}-stripe-webhook`],
      [stack.functions.reconcile, `eislett-education-${env}-stripe-reconcile`],
      [stack.functions.catalogSnapshot, `eislett-education-${env}-stripe-catalog-snapshot`],
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

  it('bundles minified ESM with linked source maps, locally, the stripe SDK and bowser out of the cold path', () => {
    const { template, outdir } = get(env);
    for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      const s3Key = (fn.Properties.Code as { S3Key: string }).S3Key;
      const dir = path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
      const code = fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code).toContain('//# sourceMappingURL=index.mjs.map');
      expect(fs.existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
      // Minified: few, long lines.
      expect(code.split('\n').length).toBeLessThan(code.length / 500);
      // What loads at cold start: the entry and the chunks it imports statically.
      const loaded = new Set<string>();
      const visit = (file: string) => {
        if (loaded.has(file)) return;
        loaded.add(file);
        const source = fs.readFileSync(file, 'utf8');
        for (const [, imported] of source.matchAll(
          /(?:import|export)[^"']*?from\s*["'](\.[^"']+)["']/g,
        )) {
          visit(path.resolve(path.dirname(file), imported ?? ''));
        }
      };
      visit(path.join(dir, 'index.mjs'));
      const names = [...loaded].map((file) => path.basename(file));
      expect(names.filter((name) => /^(stripe|bowser)/.test(name))).toEqual([]);
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
        // The listing reads the snapshot, never scans the catalog.
        [['dynamodb:GetItem', 'dynamodb:BatchGetItem'], [tables.catalogSnapshot.tableArn]],
        // The per-user limit: one conditional ADD a request, never a read.
        [['dynamodb:UpdateItem'], [tables.userRateLimits.tableArn]],
        [['dynamodb:GetItem'], [external.productsTable.tableArn]],
        [['dynamodb:GetItem'], [external.pricesTable.tableArn]],
        [
          ['dynamodb:UpdateItem'],
          [external.productsTable.tableArn],
          {
            'ForAllValues:StringEquals': {
              'dynamodb:Attributes': ['productId', 'stripeProductId'],
            },
            StringEquals: { 'dynamodb:ReturnValues': 'NONE' },
          },
        ],
        [
          ['dynamodb:UpdateItem'],
          [external.pricesTable.tableArn],
          {
            'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['priceId', 'stripePriceId'] },
            StringEquals: { 'dynamodb:ReturnValues': 'NONE' },
          },
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

  it('lets the API function write nothing but the Stripe ids into the catalog tables', () => {
    const { template } = get(env);
    const catalogUpdates = resourcesOf(template, 'AWS::IAM::Policy')
      .flatMap(
        ([, policy]) =>
          (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      )
      .filter((statement) => [statement.Action].flat().includes('dynamodb:UpdateItem'))
      .filter((statement) =>
        /table\/[^"]*-(products|prices)"/.test(JSON.stringify(statement.Resource)),
      );
    expect(catalogUpdates).toHaveLength(2);
    for (const statement of catalogUpdates) {
      expect(statement.Action).toBe('dynamodb:UpdateItem');
      expect(statement.Condition).toEqual(
        JSON.stringify(statement.Resource).includes('-products"')
          ? catalogWriteBackConditions('products')
          : catalogWriteBackConditions('prices'),
      );
    }
  });

  /** What every way in to the event pipeline may do (the webhook and the reconciliation). */
  const pipelineGrants = (s: Synthesized): Grant[] => {
    const { tables, external } = s.stack;
    return [
      [
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        [tables.eventLedger.tableArn],
      ],
      // Nothing on the way in deletes a parked event: only a replay (the reconcile function).
      [
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        [tables.parkedEvents.tableArn],
      ],
      [
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        [tables.subscriptionOrder.tableArn],
      ],
      [
        ['dynamodb:Query'],
        [`${tables.customers.tableArn}/index/${CUSTOMERS_BY_STRIPE_ID_INDEX.indexName}`],
      ],
      [['sns:Publish'], [external.billingEventsTopic.topicArn]],
    ];
  };

  it('grants the webhook function exactly what it uses: the signing secrets and the Stripe key', () => {
    const s = get(env);
    const { external, functions } = s.stack;
    expect(permissions(s, functions.webhook)).toEqual(
      expected(s, [
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [functions.webhook.logGroup.logGroupArn]],
        ...pipelineGrants(s),
        // The Stripe key settles same-second ordering ties against Stripe (contract section 5).
        [
          ['secretsmanager:GetSecretValue'],
          [
            external.secrets.stripeWebhookSecret.policyArn,
            external.secrets.stripeSecretKey.policyArn,
          ],
        ],
      ]),
    );
  });

  it('grants the catalog snapshot function its catalog reads and its own table, and no secret', () => {
    const s = get(env);
    const { tables, external, functions } = s.stack;
    expect(permissions(s, functions.catalogSnapshot)).toEqual(
      expected(s, [
        [
          ['logs:CreateLogStream', 'logs:PutLogEvents'],
          [functions.catalogSnapshot.logGroup.logGroupArn],
        ],
        [['dynamodb:BatchGetItem'], [external.productsTable.tableArn]],
        [['dynamodb:Scan'], [external.pricesTable.tableArn]],
        [
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
          [tables.catalogSnapshot.tableArn],
        ],
      ]),
    );
  });

  it('grants the reconciliation function exactly what it uses, and of the secrets the Stripe key only', () => {
    const s = get(env);
    const { tables, external, functions } = s.stack;
    expect(permissions(s, functions.reconcile)).toEqual(
      expected(s, [
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [functions.reconcile.logGroup.logGroupArn]],
        ...pipelineGrants(s),
        [
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          [tables.reconciliationState.tableArn],
        ],
        // A replayed parked event that goes through is unparked.
        [['dynamodb:DeleteItem'], [tables.parkedEvents.tableArn]],
        [['secretsmanager:GetSecretValue'], [external.secrets.stripeSecretKey.policyArn]],
      ]),
    );
  });

  it('configures the reconciliation function: the pipeline, its state, the Stripe key, the interval', () => {
    const { stack, template } = get(env);
    const { reconciliation } = settingsOf(env);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `eislett-education-${env}-stripe-reconcile`,
      Environment: {
        Variables: Match.objectLike({
          [ENV.customersTable]: resolved(stack, stack.tables.customers.tableName),
          [ENV.eventLedgerTable]: resolved(stack, stack.tables.eventLedger.tableName),
          [ENV.parkedEventsTable]: resolved(stack, stack.tables.parkedEvents.tableName),
          [ENV.subscriptionOrderTable]: resolved(stack, stack.tables.subscriptionOrder.tableName),
          [ENV.reconciliationStateTable]: resolved(
            stack,
            stack.tables.reconciliationState.tableName,
          ),
          [ENV.billingEventsTopicArn]: resolved(stack, stack.external.billingEventsTopic.topicArn),
          [ENV.stripeSecretKeyName]: `eislett-education-${env}-stripe-secret-key`,
          [ENV.stripeWebhookSecretName]: Match.absent(),
          [ENV.jwtSecretName]: Match.absent(),
          [ENV.reconcileIntervalMinutes]: String(reconciliation.intervalMinutes),
          [ENV.environmentName]: env,
        }),
      },
    });
    // A failed run is not retried at once: the next scheduled one resumes from the cursor.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: resolved(stack, stack.functions.reconcile.function.functionName),
      MaximumRetryAttempts: 0,
    });
  });

  it("gives the API function the environment's per-user limit and its table, and no other function", () => {
    const { stack, template } = get(env);
    const limit = settingsOf(env).userRateLimit;
    if (limit === false) throw new Error(`${env} is expected to limit requests per user`);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `eislett-education-${env}-stripe-api`,
      Environment: {
        Variables: Match.objectLike({
          [ENV.userRateLimitTable]: resolved(stack, stack.tables.userRateLimits.tableName),
          [ENV.userRateLimitRequests]: String(limit.requests),
          [ENV.userRateLimitWindowSeconds]: String(limit.windowSeconds),
        }),
      },
    });
    const others = resourcesOf(template, 'AWS::Lambda::Function').filter(
      ([id]) => id !== logicalId(stack, stack.functions.api.function),
    );
    for (const [, fn] of others) {
      const { Variables } = fn.Properties.Environment as { Variables: Record<string, string> };
      expect(Object.keys(Variables).filter((key) => key.startsWith('USER_RATE_LIMIT'))).toEqual([]);
    }
  });

  it('gives every function the stack metrics namespace and the environment name', () => {
    for (const [, fn] of resourcesOf(get(env).template, 'AWS::Lambda::Function')) {
      const { Variables } = fn.Properties.Environment as { Variables: Record<string, string> };
      expect(Variables[ENV.metricsNamespace]).toBe(`eislett-education-${env}-stripe-service`);
      expect(Variables[ENV.environmentName]).toBe(env);
    }
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
          [ENV.eventLedgerTable]: resolved(stack, stack.tables.eventLedger.tableName),
          [ENV.parkedEventsTable]: resolved(stack, stack.tables.parkedEvents.tableName),
          [ENV.subscriptionOrderTable]: resolved(stack, stack.tables.subscriptionOrder.tableName),
          [ENV.customersTable]: resolved(stack, stack.tables.customers.tableName),
          [ENV.stripeSecretKeyName]: `eislett-education-${env}-stripe-secret-key`,
        }),
      },
    });
  });

  it('reserves the environment concurrency for the webhook function, and none for the API', () => {
    const { stack } = get(env);
    const reserved = settingsOf(env).webhookReservedConcurrency;
    const functions = Object.fromEntries(
      resourcesOf(get(env).template, 'AWS::Lambda::Function').map(([id, fn]) => [
        id,
        fn.Properties.ReservedConcurrentExecutions,
      ]),
    );
    expect(functions[logicalId(stack, stack.functions.webhook.function)]).toBe(
      reserved === false ? undefined : reserved,
    );
    expect(functions[logicalId(stack, stack.functions.api.function)]).toBeUndefined();
  });

  it('reserves one concurrent run for the reconciliation where the environment can reserve', () => {
    const { stack, template } = get(env);
    const reserved = settingsOf(env).reconciliation.reservedConcurrency;
    const reconcile = resourcesOf(template, 'AWS::Lambda::Function').find(
      ([id]) => id === logicalId(stack, stack.functions.reconcile.function),
    );
    expect(reconcile?.[1].Properties.ReservedConcurrentExecutions).toBe(
      reserved === false ? undefined : 1,
    );
  });
});

describe('ServiceFunctions configuration', () => {
  it('turns the webhook reserved concurrency on and off per environment', () => {
    const reserved = (settings: Record<string, unknown>) =>
      resourcesOf(
        synthesize('dev', withSettings('dev', settings), { bundling: false }).template,
        'AWS::Lambda::Function',
      ).map(([, fn]) => fn.Properties.ReservedConcurrentExecutions);
    expect(
      reserved({ webhookReservedConcurrency: 3, reconcileReservedConcurrency: false }).sort(),
    ).toEqual([3, undefined, undefined]);
    expect(
      reserved({ webhookReservedConcurrency: false, reconcileReservedConcurrency: false }),
    ).toEqual([undefined, undefined, undefined]);
    // Runs never overlap: the reconciliation reserves one unless told it cannot.
    expect(
      reserved({ webhookReservedConcurrency: false, reconcileReservedConcurrency: 1 }),
    ).toContain(1);
  });

  it('turns the per-user limit off with userRateLimit false: the API is told so and may not touch the table', () => {
    const s = synthesize('prod', withSettings('prod', { userRateLimit: false }), {
      bundling: false,
    });
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'eislett-education-prod-stripe-api',
      Environment: {
        Variables: Match.objectLike({
          [ENV.userRateLimitRequests]: 'off',
          [ENV.userRateLimitTable]: Match.absent(),
          [ENV.userRateLimitWindowSeconds]: Match.absent(),
        }),
      },
    });
    const limitsTable = resolved(s.stack, s.stack.tables.userRateLimits.tableArn);
    expect(
      [...permissions(s, s.stack.functions.api)].filter((p) =>
        p.includes(JSON.stringify(limitsTable)),
      ),
    ).toEqual([]);
    // The table stays: a retained one must not collide with its re-creation when the limit returns.
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'eislett-education-prod-stripe-rate-limits',
    });
  });

  it('requires a token issuer and audience on the API function only when configured', () => {
    const { template } = synthesize(
      'staging',
      { jwtIssuer: 'https://auth.example.com', jwtAudience: 'stripe-service' },
      { bundling: false },
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'eislett-education-staging-stripe-api',
      Environment: {
        Variables: Match.objectLike({
          [ENV.jwtIssuer]: 'https://auth.example.com',
          [ENV.jwtAudience]: 'stripe-service',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'eislett-education-staging-stripe-webhook',
      Environment: {
        Variables: Match.objectLike({
          [ENV.jwtIssuer]: Match.absent(),
          [ENV.jwtAudience]: Match.absent(),
        }),
      },
    });
  });
});

describe('ServiceFunctions with one combined secret (context combinedSecretName)', () => {
  const COMBINED = 'dev-eislett-education_secrets';
  const variablesOf = (s: Synthesized, fn: ServiceFunction) =>
    (
      resourcesOf(s.template, 'AWS::Lambda::Function').find(
        ([id]) => id === logicalId(s.stack, fn.function),
      )?.[1].Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
  const secretReads = (s: Synthesized, fn: ServiceFunction) =>
    [...permissions(s, fn)].filter((entry) => entry.startsWith('secretsmanager:'));
  const combinedArn = (s: Synthesized) =>
    resolved(s.stack, s.stack.external.secrets.stripeSecretKey.policyArn);

  let s: Synthesized;
  beforeAll(() => {
    s = synthesize('dev', { combinedSecretName: COMBINED }, { bundling: false });
  });

  it('gives each function the combined secret name and the field of its values', () => {
    expect(variablesOf(s, s.stack.functions.api)).toMatchObject({
      [ENV.stripeSecretKeyName]: COMBINED,
      [ENV.stripeSecretKeyField]: 'stripe_secret_key',
      [ENV.jwtSecretName]: COMBINED,
      [ENV.jwtSecretField]: 'jwt_access_token_secret',
    });
    expect(variablesOf(s, s.stack.functions.webhook)).toMatchObject({
      [ENV.stripeWebhookSecretName]: COMBINED,
      [ENV.stripeWebhookSecretField]: 'stripe_webhook_secret',
    });
    expect(variablesOf(s, s.stack.functions.webhook)).toMatchObject({
      [ENV.stripeSecretKeyName]: COMBINED,
      [ENV.stripeSecretKeyField]: 'stripe_secret_key',
    });
    expect(variablesOf(s, s.stack.functions.reconcile)).toMatchObject({
      [ENV.stripeSecretKeyName]: COMBINED,
      [ENV.stripeSecretKeyField]: 'stripe_secret_key',
    });
    expect(variablesOf(s, s.stack.functions.api)[ENV.stripeWebhookSecretName]).toBeUndefined();
    expect(
      variablesOf(s, s.stack.functions.reconcile)[ENV.stripeWebhookSecretName],
    ).toBeUndefined();
  });

  it('grants every function that one secret, and nothing of the three separate ones', () => {
    expect(JSON.stringify(combinedArn(s))).toContain(`:secret:${COMBINED}-??????`);
    const only = [permission('secretsmanager:GetSecretValue', combinedArn(s), undefined)];
    expect(secretReads(s, s.stack.functions.api)).toEqual(only);
    expect(secretReads(s, s.stack.functions.webhook)).toEqual(only);
    expect(secretReads(s, s.stack.functions.reconcile)).toEqual(only);
    const text = JSON.stringify(s.template.toJSON());
    expect(text).not.toMatch(/stripe-secret-key|stripe-webhook-secret|jwt-access-token-secret/);
    expect(resourcesOf(s.template, 'AWS::SecretsManager::Secret')).toHaveLength(0);
  });

  it('takes other field names from context combinedSecretFields (the JSON string the CLI passes)', () => {
    const renamed = synthesize(
      'prod',
      {
        combinedSecretName: 'prod-eislett-education_secrets',
        combinedSecretFields: JSON.stringify({ stripeWebhookSecret: 'webhook_secrets' }),
      },
      { bundling: false },
    );
    expect(variablesOf(renamed, renamed.stack.functions.webhook)).toMatchObject({
      [ENV.stripeWebhookSecretName]: 'prod-eislett-education_secrets',
      [ENV.stripeWebhookSecretField]: 'webhook_secrets',
    });
    expect(variablesOf(renamed, renamed.stack.functions.api)).toMatchObject({
      [ENV.stripeSecretKeyField]: 'stripe_secret_key',
    });
  });

  it('fails synthesis with a configuration error for a bad field key', () => {
    expect(() =>
      synthesize(
        'dev',
        { combinedSecretName: COMBINED, combinedSecretFields: { stripeKey: 'x' } },
        { bundling: false },
      ),
    ).toThrow(/combinedSecretFields\.stripeKey is not a known secret/);
  });
});
