import { ConfigurationError } from '../../../../lambda/core/config';
import {
  parseSecretList,
  parseSecretValue,
  SecretNotFoundError,
  StaticSecretStore,
} from '../../../../lambda/core/secrets';
import type { SecretRef } from '../../../../lambda/shared/secrets';

describe('parseSecretValue', () => {
  it.each([
    ['a plain string', 'sk_test_123', 'sk_test_123'],
    ['a plain string with whitespace', '  sk_test_123\n', 'sk_test_123'],
    ['JSON {"key": ...}', '{"key": "sk_test_456"}', 'sk_test_456'],
  ])('reads %s', (_name, raw, expected) => {
    expect(parseSecretValue(raw, 'name')).toBe(expected);
  });

  it.each([
    ['an empty string', ''],
    ['JSON without key', '{"value": "sk_test_1"}'],
    ['JSON whose key is not a string', '{"key": 42}'],
    ['broken JSON', '{"key": "sk_test_'],
  ])('rejects %s without echoing the value', (_name, raw) => {
    let error: unknown;
    try {
      parseSecretValue(raw, 'stripe-key');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect((error as Error).message).toContain('stripe-key');
    if (raw.includes('sk_test')) expect((error as Error).message).not.toContain('sk_test');
  });
});

describe('parseSecretList', () => {
  it.each([
    ['one plain secret', 'whsec_a', ['whsec_a']],
    ['comma-separated secrets', 'whsec_a, whsec_b', ['whsec_a', 'whsec_b']],
    ['a JSON array', '["whsec_a","whsec_b"]', ['whsec_a', 'whsec_b']],
    ['JSON {"key": [..]}', '{"key": ["whsec_a", "whsec_b"]}', ['whsec_a', 'whsec_b']],
    ['JSON {"key": "a,b"}', '{"key": "whsec_a,whsec_b"}', ['whsec_a', 'whsec_b']],
  ])('reads %s', (_name, raw, expected) => {
    expect(parseSecretList(raw, 'webhook')).toEqual(expected);
  });

  it.each([
    ['an empty list', '[]'],
    ['only commas', ' , ,'],
    ['a list with a non-string', '["whsec_a", 1]'],
  ])('rejects %s', (_name, raw) => {
    expect(() => parseSecretList(raw, 'webhook')).toThrow(SecretNotFoundError);
  });
});

/** The layout of `seeds/secrets-manager-guide.md`: one JSON secret, unrelated fields too. */
const COMBINED = JSON.stringify({
  stripe_secret_key: '  sk_test_combined  ',
  stripe_publishable_key: 'pk_test_publishable_value',
  stripe_webhook_secret: 'whsec_a,whsec_b',
  jwt_access_token_secret: 'jwt-value',
  database_password: 'db-password-value',
});
/** Every value in `COMBINED`: none may ever appear in an error message. */
const COMBINED_VALUES = Object.values(JSON.parse(COMBINED) as Record<string, string>).map((v) =>
  v.trim(),
);
const combined = (field: string): SecretRef => ({ name: 'dev-acme_secrets', field });

function errorOf(read: () => unknown): Error {
  try {
    read();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/** The error names the secret and the field, and echoes no value of the secret. */
function expectNamedWithoutValues(error: Error, raw: string, field: string): void {
  expect(error.message).toContain('dev-acme_secrets');
  expect(error.message).toContain(`"${field}"`);
  const values = [...COMBINED_VALUES, raw].filter((value) => value.length > 3);
  for (const value of values) expect(error.message).not.toContain(value);
  expect(error.message).not.toMatch(/sk_test|whsec_|pk_test|password-value/);
}

describe('parseSecretValue with a field of a combined secret', () => {
  it('reads the field, trimmed, ignoring the other fields', () => {
    expect(parseSecretValue(COMBINED, combined('stripe_secret_key'))).toBe('sk_test_combined');
    expect(parseSecretValue(COMBINED, combined('jwt_access_token_secret'))).toBe('jwt-value');
  });

  it('reads the field of its own even when it holds {"key": ...}-looking text', () => {
    const raw = JSON.stringify({ stripe_secret_key: '{"key": "x"}' });
    expect(parseSecretValue(raw, combined('stripe_secret_key'))).toBe('{"key": "x"}');
  });

  it.each([
    ['a missing field', COMBINED, 'stripe_restricted_key'],
    ['an empty field', JSON.stringify({ stripe_secret_key: '' }), 'stripe_secret_key'],
    ['a blank field', JSON.stringify({ stripe_secret_key: '   ' }), 'stripe_secret_key'],
    ['a null field', JSON.stringify({ stripe_secret_key: null }), 'stripe_secret_key'],
    [
      'a field that is not a string',
      JSON.stringify({ stripe_secret_key: 42 }),
      'stripe_secret_key',
    ],
  ])('refuses %s as a configuration error naming the secret and the field', (_name, raw, field) => {
    const error = errorOf(() => parseSecretValue(raw, combined(field)));
    expect(error).toBeInstanceOf(ConfigurationError);
    expectNamedWithoutValues(error, raw, field);
  });

  it.each([
    ['a plain string', 'sk_test_not_json_value'],
    ['broken JSON', '{"stripe_secret_key": "sk_test_broken'],
    ['a JSON array', '["sk_test_in_array"]'],
    ['a JSON string', '"sk_test_json_string"'],
  ])('refuses %s as a configuration error without echoing it', (_name, raw) => {
    const error = errorOf(() => parseSecretValue(raw, combined('stripe_secret_key')));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('dev-acme_secrets');
    expect(error.message).toMatch(/JSON object/);
    expect(error.message).not.toContain('sk_test');
  });

  it('keeps reading a secret of its own when no field is given', () => {
    expect(parseSecretValue('{"key": "sk_test_1"}', { name: 'own' })).toBe('sk_test_1');
    expect(parseSecretValue('sk_test_2', { name: 'own' })).toBe('sk_test_2');
  });
});

describe('parseSecretList with a field of a combined secret', () => {
  it.each([
    ['a comma-separated string', { s: 'whsec_a, whsec_b' }, ['whsec_a', 'whsec_b']],
    ['one secret', { s: ' whsec_a ' }, ['whsec_a']],
    ['an array', { s: ['whsec_a', ' whsec_b'] }, ['whsec_a', 'whsec_b']],
  ])('reads %s', (_name, fields, expected) => {
    const raw = JSON.stringify({ ...fields, stripe_secret_key: 'sk_test_other' });
    expect(parseSecretList(raw, combined('s'))).toEqual(expected);
  });

  it('reads the webhook field of the guide layout, ignoring the other fields', () => {
    expect(parseSecretList(COMBINED, combined('stripe_webhook_secret'))).toEqual([
      'whsec_a',
      'whsec_b',
    ]);
  });

  it.each([
    ['a missing field', COMBINED, 'stripe_webhook_secrets'],
    ['an empty field', JSON.stringify({ s: '' }), 's'],
    ['an empty array', JSON.stringify({ s: [] }), 's'],
    ['only commas', JSON.stringify({ s: ' , ,' }), 's'],
    ['not JSON', 'whsec_not_json_value', 's'],
  ])('refuses %s as a configuration error naming the secret and the field', (_name, raw, field) => {
    const error = errorOf(() => parseSecretList(raw, combined(field)));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('dev-acme_secrets');
    if (raw.startsWith('{')) expectNamedWithoutValues(error, raw, field);
    expect(error.message).not.toContain('whsec_');
  });

  it.each([
    ['a number', JSON.stringify({ s: 7, other: 'whsec_other_value' })],
    ['an array with a non-string', JSON.stringify({ s: ['whsec_a_value', 1] })],
    ['an object', JSON.stringify({ s: { key: 'whsec_nested_value' } })],
  ])('refuses a field holding %s, naming the secret and the field only', (_name, raw) => {
    const error = errorOf(() => parseSecretList(raw, combined('s')));
    expect(error.message).toContain('dev-acme_secrets');
    expect(error.message).toContain('"s"');
    expect(error.message).not.toContain('whsec_');
  });
});

describe('StaticSecretStore', () => {
  it('returns known secrets and rejects unknown ones', async () => {
    const store = new StaticSecretStore({ a: 'value-a' });
    await expect(store.get('a')).resolves.toBe('value-a');
    await expect(store.get('b')).rejects.toBeInstanceOf(SecretNotFoundError);
  });
});
