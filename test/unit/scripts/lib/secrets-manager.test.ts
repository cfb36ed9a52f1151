import { awsWebhookSecret } from '../../../../scripts/lib/secrets-manager';
import { fakeSecretsManager } from '../../../support/fake-secrets-manager';

describe('storing the webhook signing secrets', () => {
  it('keeps a plain secret plain, comma-separated', async () => {
    const secrets = fakeSecretsManager({ hook: 'whsec_old' });
    const store = awsWebhookSecret(secrets.client, { name: 'hook' });
    expect(await store.read()).toEqual(['whsec_old']);
    await store.write(['whsec_new', 'whsec_old']);
    expect(secrets.values.hook).toBe('whsec_new,whsec_old');
  });

  it('keeps {"key": ...} and the other fields of a combined secret', async () => {
    const secrets = fakeSecretsManager({
      keyed: JSON.stringify({ key: 'whsec_old' }),
      combined: JSON.stringify({
        stripe_webhook_secret: 'whsec_old',
        jwt_access_token_secret: 'j',
      }),
    });
    await awsWebhookSecret(secrets.client, { name: 'keyed' }).write(['whsec_new']);
    expect(JSON.parse(secrets.values.keyed ?? '')).toEqual({ key: 'whsec_new' });
    const combined = awsWebhookSecret(secrets.client, {
      name: 'combined',
      field: 'stripe_webhook_secret',
    });
    await combined.write(['whsec_new', 'whsec_old']);
    expect(JSON.parse(secrets.values.combined ?? '')).toEqual({
      stripe_webhook_secret: 'whsec_new,whsec_old',
      jwt_access_token_secret: 'j',
    });
  });

  it('never creates a secret operators did not create', async () => {
    const secrets = fakeSecretsManager({});
    const store = awsWebhookSecret(secrets.client, { name: 'missing' });
    expect(await store.read()).toBeUndefined();
    await expect(store.write(['whsec_x'])).rejects.toThrow(/does not exist/);
    expect(secrets.puts).toEqual([]);
  });
});
