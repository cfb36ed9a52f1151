import { loadApiConfig } from '../../../../lambda/api/config';
import { ConfigurationError } from '../../../../lambda/core/config';
import { ENV } from '../../../../lambda/shared/function-environment';
import { loadWebhookConfig } from '../../../../lambda/webhook/config';

const apiEnv = {
  [ENV.customersTable]: 'customers',
  [ENV.catalogSyncTable]: 'catalog-sync',
  [ENV.productsTable]: 'products',
  [ENV.pricesTable]: 'prices',
  [ENV.catalogSnapshotTable]: 'catalog-snapshot',
  [ENV.stripeSecretKeyName]: 'stripe-key',
  [ENV.jwtSecretName]: 'jwt',
  [ENV.allowedRedirectOrigins]: 'https://app.example.com, http://localhost:3000',
  [ENV.userRateLimitTable]: 'rate-limits',
  [ENV.userRateLimitRequests]: '60',
  [ENV.userRateLimitWindowSeconds]: '60',
};

describe('function configuration', () => {
  it('reads the API settings, with the default secrets cache age', () => {
    expect(loadApiConfig(apiEnv)).toEqual({
      customersTable: 'customers',
      catalogSyncTable: 'catalog-sync',
      productsTable: 'products',
      pricesTable: 'prices',
      catalogSnapshotTable: 'catalog-snapshot',
      stripeSecretKey: { name: 'stripe-key' },
      jwtSecret: { name: 'jwt' },
      allowedRedirectOrigins: ['https://app.example.com', 'http://localhost:3000'],
      jwtMaxLifetimeSeconds: 86_400,
      secretsCacheMaxAgeSeconds: 300,
      userRateLimit: { table: 'rate-limits', requests: 60, windowSeconds: 60 },
    });
  });

  it('reads the per-user limit as off only when it says off', () => {
    const { [ENV.userRateLimitTable]: _table, ...withoutTable } = apiEnv;
    expect(
      loadApiConfig({ ...withoutTable, [ENV.userRateLimitRequests]: 'off' }).userRateLimit,
    ).toBe(false);
    const { [ENV.userRateLimitRequests]: _requests, ...unset } = apiEnv;
    expect(() => loadApiConfig(unset)).toThrow(
      new RegExp(`: ${ENV.userRateLimitRequests} is not set\\.$`),
    );
  });

  it('names each problem of a per-user limit that is on', () => {
    expect(() =>
      loadApiConfig({
        ...apiEnv,
        [ENV.userRateLimitTable]: ' ',
        [ENV.userRateLimitRequests]: 'many',
        [ENV.userRateLimitWindowSeconds]: undefined,
      }),
    ).toThrow(
      `Invalid function configuration: ${ENV.userRateLimitTable} is not set; ${ENV.userRateLimitRequests} must be a positive integer (got "many"); ${ENV.userRateLimitWindowSeconds} is not set.`,
    );
    expect(() => loadApiConfig({ ...apiEnv, [ENV.userRateLimitWindowSeconds]: '0' })).toThrow(
      `${ENV.userRateLimitWindowSeconds} must be a positive integer (got "0")`,
    );
  });

  it('takes a configured secrets cache age', () => {
    expect(
      loadApiConfig({ ...apiEnv, [ENV.secretsCacheMaxAgeSeconds]: '60' }).secretsCacheMaxAgeSeconds,
    ).toBe(60);
  });

  it('names every problem at once', () => {
    const env = {
      ...apiEnv,
      [ENV.pricesTable]: '',
      [ENV.jwtSecretName]: undefined,
      [ENV.secretsCacheMaxAgeSeconds]: '-5',
    };
    expect(() => loadApiConfig(env)).toThrow(ConfigurationError);
    expect(() => loadApiConfig(env)).toThrow(
      new RegExp(
        `${ENV.pricesTable} is not set.*${ENV.jwtSecretName} is not set.*${ENV.secretsCacheMaxAgeSeconds}`,
      ),
    );
  });

  it('rejects an empty origin list', () => {
    expect(() => loadApiConfig({ ...apiEnv, [ENV.allowedRedirectOrigins]: ' , ' })).toThrow(
      /is empty/,
    );
  });

  it('reads the webhook settings and reports what is missing', () => {
    expect(() => loadWebhookConfig({})).toThrow(
      new RegExp(`${ENV.customersTable}.*${ENV.eventLedgerTable}.*${ENV.billingEventsTopicArn}`),
    );
    const config = loadWebhookConfig({
      [ENV.customersTable]: 'c',
      [ENV.eventLedgerTable]: 'i',
      [ENV.parkedEventsTable]: 'p',
      [ENV.subscriptionOrderTable]: 'o',
      [ENV.billingEventsTopicArn]: 'arn:aws:sns:us-east-1:1:t',
      [ENV.pastDueGraceDays]: '7',
      [ENV.stripeSecretKeyName]: 'k',
      [ENV.stripeWebhookSecretName]: 'w',
    });
    expect(config.billingEventsTopicArn).toBe('arn:aws:sns:us-east-1:1:t');
  });

  it('reads the fields of a combined secret when the stack sets them', () => {
    const config = loadApiConfig({
      ...apiEnv,
      [ENV.stripeSecretKeyName]: 'dev-acme_secrets',
      [ENV.stripeSecretKeyField]: 'stripe_secret_key',
      [ENV.jwtSecretName]: 'dev-acme_secrets',
      [ENV.jwtSecretField]: ' jwt_access_token_secret ',
    });
    expect(config.stripeSecretKey).toEqual({
      name: 'dev-acme_secrets',
      field: 'stripe_secret_key',
    });
    expect(config.jwtSecret).toEqual({
      name: 'dev-acme_secrets',
      field: 'jwt_access_token_secret',
    });
  });

  it('reads a secret of its own when the field variable is unset or blank', () => {
    const config = loadApiConfig({ ...apiEnv, [ENV.stripeSecretKeyField]: '  ' });
    expect(config.stripeSecretKey).toEqual({ name: 'stripe-key' });
    expect(config.jwtSecret).toEqual({ name: 'jwt' });
  });

  it('still requires the secret name when a field is set', () => {
    expect(() =>
      loadApiConfig({
        ...apiEnv,
        [ENV.jwtSecretName]: undefined,
        [ENV.jwtSecretField]: 'jwt_access_token_secret',
      }),
    ).toThrow(new RegExp(`${ENV.jwtSecretName} is not set`));
  });

  it('reads the optional token issuer and audience', () => {
    const config = loadApiConfig({
      ...apiEnv,
      [ENV.jwtIssuer]: 'https://auth.example.com',
      [ENV.jwtAudience]: 'stripe-service',
    });
    expect(config.jwtIssuer).toBe('https://auth.example.com');
    expect(config.jwtAudience).toBe('stripe-service');
  });

  it('leaves the token issuer and audience out when unset or blank', () => {
    const config = loadApiConfig({ ...apiEnv, [ENV.jwtIssuer]: ' ' });
    expect('jwtIssuer' in config).toBe(false);
    expect('jwtAudience' in config).toBe(false);
  });

  it('reads the webhook secret field and the parked events table', () => {
    const webhookEnv = {
      [ENV.customersTable]: 'c',
      [ENV.eventLedgerTable]: 'i',
      [ENV.parkedEventsTable]: 'p',
      [ENV.subscriptionOrderTable]: 'o',
      [ENV.billingEventsTopicArn]: 'arn:aws:sns:us-east-1:1:t',
      [ENV.pastDueGraceDays]: '7',
      [ENV.stripeWebhookSecretName]: 'dev-acme_secrets',
      [ENV.stripeWebhookSecretField]: 'stripe_webhook_secret',
      [ENV.stripeSecretKeyName]: 'dev-acme_secrets',
      [ENV.stripeSecretKeyField]: 'stripe_secret_key',
    };
    const config = loadWebhookConfig(webhookEnv);
    expect(config.stripeWebhookSecret).toEqual({
      name: 'dev-acme_secrets',
      field: 'stripe_webhook_secret',
    });
    expect(config.parkedEventsTable).toBe('p');
    expect(() => loadWebhookConfig({ ...webhookEnv, [ENV.parkedEventsTable]: undefined })).toThrow(
      new RegExp(`${ENV.parkedEventsTable} is not set`),
    );
  });

  it('reads the past_due grace in days: 0 to 60, and set', () => {
    const pipelineEnv = {
      [ENV.customersTable]: 'c',
      [ENV.eventLedgerTable]: 'i',
      [ENV.parkedEventsTable]: 'p',
      [ENV.subscriptionOrderTable]: 'o',
      [ENV.billingEventsTopicArn]: 'arn:aws:sns:us-east-1:1:t',
      [ENV.stripeWebhookSecretName]: 'w',
      [ENV.stripeSecretKeyName]: 'k',
    };
    const grace = (days: string | undefined) =>
      loadWebhookConfig({ ...pipelineEnv, [ENV.pastDueGraceDays]: days }).accessPolicy;
    expect(grace('0')).toEqual({ pastDueGraceDays: 0 });
    expect(grace('60')).toEqual({ pastDueGraceDays: 60 });
    for (const bad of ['61', '-1', '1.5', 'a week']) {
      expect(() => grace(bad)).toThrow(
        new RegExp(`${ENV.pastDueGraceDays} must be an integer from 0 to 60`),
      );
    }
    expect(() => grace(undefined)).toThrow(new RegExp(`${ENV.pastDueGraceDays} is not set`));
  });
});
