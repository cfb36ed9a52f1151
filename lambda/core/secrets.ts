import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Where secret values come from: Secrets Manager when deployed, the environment locally. */
export interface SecretStore {
  /** The raw secret string; `forceFetch` skips the cache. */
  get(name: string, options?: { forceFetch?: boolean }): Promise<string>;
}

export class SecretNotFoundError extends Error {
  override readonly name = 'SecretNotFoundError';
}

/** How long a secret value is cached per container unless configured otherwise. */
export const DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS = 300;

/**
 * Secrets Manager through Powertools parameters: values are cached per container for
 * `maxAgeSeconds`, so a rotated secret takes effect without a redeploy.
 */
export class SecretsManagerStore implements SecretStore {
  private readonly provider: SecretsProvider;

  constructor(
    private readonly maxAgeSeconds: number = DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS,
    client?: SecretsManagerClient,
  ) {
    this.provider = client
      ? new SecretsProvider({ awsSdkV3Client: client })
      : new SecretsProvider();
  }

  async get(name: string, options: { forceFetch?: boolean } = {}): Promise<string> {
    const value = await this.provider.get(name, {
      maxAge: this.maxAgeSeconds,
      forceFetch: options.forceFetch ?? false,
    });
    if (typeof value === 'string') return value;
    throw new SecretNotFoundError(`Secret ${name} has no value.`);
  }
}

/** Fixed values by secret name: the local run and tests. */
export class StaticSecretStore implements SecretStore {
  constructor(private readonly values: Readonly<Partial<Record<string, string>>>) {}

  get(name: string): Promise<string> {
    const value = this.values[name];
    return value === undefined
      ? Promise.reject(new SecretNotFoundError(`Secret ${name} is not set.`))
      : Promise.resolve(value);
  }
}

/**
 * A secret's value is the plain string or JSON `{"key": "..."}` (how operators often
 * store it from the console's key/value editor).
 */
export function parseSecretValue(raw: string, name: string): string {
  const value = unwrapKey(raw, name);
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SecretNotFoundError(`Secret ${name} must hold a non-empty string or {"key": "..."}.`);
  }
  return value.trim();
}

/**
 * The webhook secret may hold several signing secrets, so rolling Stripe's secret has no
 * gap: comma-separated, a JSON array, or `{"key": [...]}` (or `{"key": "a,b"}`).
 */
export function parseSecretList(raw: string, name: string): string[] {
  const value = unwrapKey(raw, name);
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (!items?.every((item): item is string => typeof item === 'string')) {
    throw new SecretNotFoundError(
      `Secret ${name} must hold a string, a comma-separated list, a JSON array of strings or {"key": ...}.`,
    );
  }
  const secrets = items.map((item) => item.trim()).filter((item) => item !== '');
  if (secrets.length === 0)
    throw new SecretNotFoundError(`Secret ${name} holds no signing secret.`);
  return secrets;
}

function unwrapKey(raw: string, name: string): unknown {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return trimmed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    // Never echo the value: it is a secret, even when malformed.
    throw new SecretNotFoundError(`Secret ${name} looks like JSON but does not parse.`);
  }
  if (Array.isArray(parsed)) return parsed;
  if (typeof parsed === 'object' && parsed !== null && 'key' in parsed) return parsed.key;
  throw new SecretNotFoundError(`Secret ${name} is a JSON object without a "key" field.`);
}
