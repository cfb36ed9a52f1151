import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadApiConfig } from '../../../../lambda/api/config';
import { ConfigurationError } from '../../../../lambda/core/config';
import {
  parseSecretList,
  parseSecretValue,
  SecretsManagerStore,
} from '../../../../lambda/core/secrets';
import { ENV } from '../../../../lambda/shared/function-environment';
import { loadWebhookConfig } from '../../../../lambda/webhook/config';
import { SecretsManagerStandIn, standInClient } from '../../../support/secrets-manager-stand-in';

jest.setTimeout(20_000);

const standIn = new SecretsManagerStandIn();
let client: SecretsManagerClient;
beforeAll(async () => {
  const endpoint = await standIn.start();
  client = standInClient(endpoint);
});
afterAll(async () => {
  client.destroy();
  await standIn.stop();
});
beforeEach(() => {
  standIn.fetches.length = 0;
});

describe('SecretsManagerStore (Powertools parameters)', () => {
  it('caches a value per container for its max age', async () => {
    standIn.values.set('cached', 'sk_test_1');
    const store = new SecretsManagerStore(300, client);
    await expect(store.get('cached')).resolves.toBe('sk_test_1');
    await expect(store.get('cached')).resolves.toBe('sk_test_1');
    expect(standIn.fetches).toEqual(['cached']);
  });

  it('fetches again past the cache when forced', async () => {
    standIn.values.set('forced', 'whsec_old');
    const store = new SecretsManagerStore(300, client);
    await store.get('forced');
    standIn.values.set('forced', 'whsec_old,whsec_new');
    await expect(store.get('forced')).resolves.toBe('whsec_old');
    const fresh = await store.get('forced', { forceFetch: true });
    expect(parseSecretList(fresh, 'forced')).toEqual(['whsec_old', 'whsec_new']);
    expect(standIn.fetches).toEqual(['forced', 'forced']);
  });

  it('picks up a rotated value once the max age has passed, without a redeploy', async () => {
    standIn.values.set('rotating', 'first');
    const store = new SecretsManagerStore(1, client);
    await expect(store.get('rotating')).resolves.toBe('first');
    standIn.values.set('rotating', 'second');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expect(store.get('rotating')).resolves.toBe('second');
  });

  it('fails when the secret does not exist', async () => {
    await expect(new SecretsManagerStore(300, client).get('missing')).rejects.toThrow();
  });
});

describe('one combined secret (contract section 3) through Secrets Manager', () => {
  const NAME = 'dev-eislett-education_secrets';
  /** The layout of `seeds/secrets-manager-guide.md`, with an unrelated field too. */
  const guideLayout = (webhook: unknown = 'whsec_one') =>
    JSON.stringify({
      stripe_secret_key: 'sk_test_combined',
      stripe_publishable_key: 'pk_test_publishable',
      stripe_webhook_secret: webhook,
      jwt_access_token_secret: 'jwt-combined',
      unrelated_api_token: 'unrelated-value',
    });
  /** The function settings the stack sets for a combined secret (its default fields). */
  const apiConfig = loadApiConfig({
    [ENV.customersTable]: 'customers',
    [ENV.catalogSyncTable]: 'sync',
    [ENV.productsTable]: 'products',
    [ENV.pricesTable]: 'prices',
    [ENV.catalogSnapshotTable]: 'catalog-snapshot',
    [ENV.allowedRedirectOrigins]: 'https://app.example.com',
    [ENV.stripeSecretKeyName]: NAME,
    [ENV.stripeSecretKeyField]: 'stripe_secret_key',
    [ENV.jwtSecretName]: NAME,
    [ENV.jwtSecretField]: 'jwt_access_token_secret',
    [ENV.userRateLimitRequests]: 'off',
  });
  const webhookConfig = loadWebhookConfig({
    [ENV.customersTable]: 'customers',
    [ENV.eventLedgerTable]: 'idempotency',
    [ENV.parkedEventsTable]: 'parked',
    [ENV.subscriptionOrderTable]: 'subscription-order',
    [ENV.billingEventsTopicArn]: 'arn:aws:sns:us-east-1:1:t',
    [ENV.pastDueGraceDays]: '7',
    [ENV.stripeWebhookSecretName]: NAME,
    [ENV.stripeWebhookSecretField]: 'stripe_webhook_secret',
    [ENV.stripeSecretKeyName]: NAME,
    [ENV.stripeSecretKeyField]: 'stripe_secret_key',
  });

  it('reads every value from its field, with one fetch of the one secret', async () => {
    standIn.values.set(NAME, guideLayout(['whsec_old', 'whsec_new']));
    const store = new SecretsManagerStore(300, client);
    const read = async (ref: { name: string }) => store.get(ref.name);
    await expect(
      read(apiConfig.stripeSecretKey).then((raw) =>
        parseSecretValue(raw, apiConfig.stripeSecretKey),
      ),
    ).resolves.toBe('sk_test_combined');
    await expect(
      read(apiConfig.jwtSecret).then((raw) => parseSecretValue(raw, apiConfig.jwtSecret)),
    ).resolves.toBe('jwt-combined');
    await expect(
      read(webhookConfig.stripeWebhookSecret).then((raw) =>
        parseSecretList(raw, webhookConfig.stripeWebhookSecret),
      ),
    ).resolves.toEqual(['whsec_old', 'whsec_new']);
    expect(standIn.fetches).toEqual([NAME]);
  });

  it('picks up a rolled webhook field when the verifier reads past the cache', async () => {
    standIn.values.set(NAME, guideLayout('whsec_one'));
    const store = new SecretsManagerStore(300, client);
    const ref = webhookConfig.stripeWebhookSecret;
    expect(parseSecretList(await store.get(ref.name), ref)).toEqual(['whsec_one']);
    standIn.values.set(NAME, guideLayout('whsec_one,whsec_two'));
    expect(parseSecretList(await store.get(ref.name, { forceFetch: true }), ref)).toEqual([
      'whsec_one',
      'whsec_two',
    ]);
  });

  it('names the secret and the missing field, and no value, when a field is absent', async () => {
    standIn.values.set(
      NAME,
      JSON.stringify({ stripe_secret_key: 'sk_test_combined', jwt_access_token_secret: '' }),
    );
    const store = new SecretsManagerStore(300, client);
    const raw = await store.get(NAME);
    for (const read of [
      () => parseSecretValue(raw, apiConfig.jwtSecret),
      () => parseSecretList(raw, webhookConfig.stripeWebhookSecret),
    ]) {
      let error: unknown;
      try {
        read();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      const message = (error as Error).message;
      expect(message).toContain(NAME);
      expect(message).toMatch(/"(jwt_access_token_secret|stripe_webhook_secret)"/);
      expect(message).not.toContain('sk_test');
    }
  });
});
