import { ConfigurationError } from '../../../../lambda/core/config';
import { DEFAULT_COMBINED_SECRET_FIELDS, loadServiceConfig } from '../../../../lib/config';
import { devSettings, withDev } from '../../../support/config-context';

/** The external names and the combined secret (`lib/config/external-settings.ts`), as loaded. */

describe('loadServiceConfig: the combined secret', () => {
  const load = (values: Record<string, unknown>, settings: Record<string, unknown> = {}) =>
    loadServiceConfig(withDev({ env: 'dev', ...values }, { ...devSettings, ...settings }), {})
      .settings;

  it('is off unless combinedSecretName is set (an empty value counts as unset)', () => {
    expect(load({}).combinedSecret).toBeUndefined();
    expect(load({ combinedSecretName: '' }).combinedSecret).toBeUndefined();
  });

  it('takes combinedSecretName from the command line, with the default field names', () => {
    expect(load({ combinedSecretName: 'dev-eislett-education_secrets' }).combinedSecret).toEqual({
      secretName: 'dev-eislett-education_secrets',
      fields: {
        stripeSecretKey: 'stripe_secret_key',
        stripeWebhookSecret: 'stripe_webhook_secret',
        jwtAccessTokenSecret: 'jwt_access_token_secret',
      },
    });
    expect(DEFAULT_COMBINED_SECRET_FIELDS.stripeSecretKey).toBe('stripe_secret_key');
  });

  it('takes it per environment too; the command line wins', () => {
    const perEnvironment = { combinedSecretName: 'from-cdk-json' };
    expect(load({}, perEnvironment).combinedSecret?.secretName).toBe('from-cdk-json');
    expect(
      load({ combinedSecretName: 'from-command-line' }, perEnvironment).combinedSecret?.secretName,
    ).toBe('from-command-line');
  });

  it('overrides some field names, as an object or as the JSON string the CLI passes', () => {
    const expected = {
      ...DEFAULT_COMBINED_SECRET_FIELDS,
      stripeWebhookSecret: 'webhook_signing_secrets',
    };
    const fields = { stripeWebhookSecret: 'webhook_signing_secrets' };
    expect(
      load({ combinedSecretName: 's', combinedSecretFields: fields }).combinedSecret?.fields,
    ).toEqual(expected);
    expect(
      load({ combinedSecretName: 's', combinedSecretFields: JSON.stringify(fields) }).combinedSecret
        ?.fields,
    ).toEqual(expected);
  });

  it.each([
    ['a name that is not a string', { combinedSecretName: 42 }, /context combinedSecretName/],
    [
      'an ARN instead of a name',
      { combinedSecretName: 'arn:aws:secretsmanager:us-east-1:1:secret:x' },
      /secret name/,
    ],
    ['a name with spaces', { combinedSecretName: 'my secrets' }, /secret name/],
    [
      'fields without a name',
      { combinedSecretFields: { stripeSecretKey: 'k' } },
      /combinedSecretFields is set but combinedSecretName is not/,
    ],
    [
      'an unknown field key',
      { combinedSecretName: 's', combinedSecretFields: { stripePublishableKey: 'pk' } },
      /combinedSecretFields\.stripePublishableKey is not a known secret; known: stripeSecretKey, stripeWebhookSecret, jwtAccessTokenSecret/,
    ],
    [
      'a field that is not a string',
      { combinedSecretName: 's', combinedSecretFields: { stripeSecretKey: 1 } },
      /combinedSecretFields\.stripeSecretKey must be a non-empty field name/,
    ],
    [
      'an empty field',
      { combinedSecretName: 's', combinedSecretFields: { jwtAccessTokenSecret: ' ' } },
      /jwtAccessTokenSecret must be a non-empty field name/,
    ],
    [
      'fields that are not an object',
      { combinedSecretName: 's', combinedSecretFields: ['stripe_secret_key'] },
      /must be an object/,
    ],
    [
      'fields that are not JSON',
      { combinedSecretName: 's', combinedSecretFields: 'stripeSecretKey=k' },
      /must be a JSON object/,
    ],
    [
      'two secrets in one field',
      {
        combinedSecretName: 's',
        combinedSecretFields: { jwtAccessTokenSecret: 'stripe_secret_key' },
      },
      /a different field for each secret/,
    ],
  ])('rejects %s', (_name, values, message) => {
    expect(() => load(values)).toThrow(ConfigurationError);
    expect(() => load(values)).toThrow(message);
  });

  it('refuses a separate secret name that the combined secret would silently replace', () => {
    expect(() =>
      load({ combinedSecretName: 's' }, { external: { stripeWebhookSecretName: 'ops/webhook' } }),
    ).toThrow(/environments\.dev\.external\.stripeWebhookSecretName would be ignored/);
  });
});
