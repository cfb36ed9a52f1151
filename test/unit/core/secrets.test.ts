import {
  parseSecretList,
  parseSecretValue,
  SecretNotFoundError,
  StaticSecretStore,
} from '../../../lambda/core/secrets';

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

describe('StaticSecretStore', () => {
  it('returns known secrets and rejects unknown ones', async () => {
    const store = new StaticSecretStore({ a: 'value-a' });
    await expect(store.get('a')).resolves.toBe('value-a');
    await expect(store.get('b')).rejects.toBeInstanceOf(SecretNotFoundError);
  });
});
