import { loadApiConfig } from '../../../lambda/api/config';
import { ConfigurationError } from '../../../lambda/core/config';
import { ENV } from '../../../lambda/shared/function-environment';
import { loadWebhookConfig } from '../../../lambda/webhook/config';

const apiEnv = {
  [ENV.customersTable]: 'customers',
  [ENV.catalogSyncTable]: 'catalog-sync',
  [ENV.productsTable]: 'products',
  [ENV.pricesTable]: 'prices',
  [ENV.stripeSecretKeyName]: 'stripe-key',
  [ENV.jwtSecretName]: 'jwt',
  [ENV.allowedRedirectOrigins]: 'https://app.example.com, http://localhost:3000',
};

describe('function configuration', () => {
  it('reads the API settings, with the default secrets cache age', () => {
    expect(loadApiConfig(apiEnv)).toEqual({
      customersTable: 'customers',
      catalogSyncTable: 'catalog-sync',
      productsTable: 'products',
      pricesTable: 'prices',
      stripeSecretKeyName: 'stripe-key',
      jwtSecretName: 'jwt',
      allowedRedirectOrigins: ['https://app.example.com', 'http://localhost:3000'],
      secretsCacheMaxAgeSeconds: 300,
    });
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
      new RegExp(`${ENV.customersTable}.*${ENV.idempotencyTable}.*${ENV.billingEventsTopicArn}`),
    );
    const config = loadWebhookConfig({
      [ENV.customersTable]: 'c',
      [ENV.idempotencyTable]: 'i',
      [ENV.billingEventsTopicArn]: 'arn:aws:sns:us-east-1:1:t',
      [ENV.stripeSecretKeyName]: 'k',
      [ENV.stripeWebhookSecretName]: 'w',
    });
    expect(config.billingEventsTopicArn).toBe('arn:aws:sns:us-east-1:1:t');
  });
});
