import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV } from '../shared/function-environment';
import type { SecretRef } from '../shared/secrets';
import { ConfigurationError, type EnvironmentReader } from './config';

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

/** How long a function caches the secrets it reads, from its environment. */
export const readSecretsCacheMaxAge = (read: EnvironmentReader): number =>
  read.positiveInteger(ENV.secretsCacheMaxAgeSeconds, DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS);

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

/** Reads one secret value when called (through the store's cache): what clients are built from. */
export const secretValueReader =
  (secrets: SecretStore, ref: SecretRef) => async (): Promise<string> =>
    parseSecretValue(await secrets.get(ref.name), ref);

/**
 * A secret's value is the plain string or JSON `{"key": "..."}` (how operators often
 * store it from the console's key/value editor), or the named field of a combined secret.
 */
export function parseSecretValue(raw: string, ref: SecretRef | string): string {
  const { name, field } = toRef(ref);
  const value = field === undefined ? unwrapKey(raw, name) : fieldOf(raw, name, field);
  if (typeof value !== 'string' || value.trim() === '') {
    throw field === undefined
      ? new SecretNotFoundError(`Secret ${name} must hold a non-empty string or {"key": "..."}.`)
      : new ConfigurationError(`Secret ${name}: field "${field}" must be a non-empty string.`);
  }
  return value.trim();
}

/**
 * The webhook secret may hold several signing secrets, so rolling Stripe's secret has no
 * gap: comma-separated, a JSON array, or `{"key": [...]}` (or `{"key": "a,b"}`); in a
 * combined secret, the field holds a string (comma-separated) or an array.
 */
export function parseSecretList(raw: string, ref: SecretRef | string): string[] {
  const { name, field } = toRef(ref);
  const where = field === undefined ? `Secret ${name}` : `Secret ${name}, field "${field}",`;
  const value = field === undefined ? unwrapKey(raw, name) : fieldOf(raw, name, field);
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (!items?.every((item): item is string => typeof item === 'string')) {
    const message = `${where} must hold a string, a comma-separated list, a JSON array of strings or {"key": ...}.`;
    // A combined secret's field is configuration the operator wrote; a secret of its own
    // holding the wrong thing is reported as the secret being unusable, as before.
    throw field === undefined ? new SecretNotFoundError(message) : new ConfigurationError(message);
  }
  const secrets = items.map((item) => item.trim()).filter((item) => item !== '');
  if (secrets.length === 0) {
    throw field === undefined
      ? new SecretNotFoundError(`${where} holds no signing secret.`)
      : new ConfigurationError(`${where} holds no signing secret.`);
  }
  return secrets;
}

const toRef = (ref: SecretRef | string): SecretRef =>
  typeof ref === 'string' ? { name: ref } : ref;

/**
 * One field of a combined JSON secret. Other fields (a publishable key, unrelated keys)
 * are never read into a message: errors name the secret and the field, never a value.
 */
function fieldOf(raw: string, name: string, field: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`Secret ${name} must be a JSON object (combined secret).`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(`Secret ${name} must be a JSON object (combined secret).`);
  }
  const value = (parsed as Record<string, unknown>)[field];
  if (value === undefined || value === null || value === '') {
    throw new ConfigurationError(`Secret ${name} has no field "${field}" (or it is empty).`);
  }
  return value;
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

/** A function's Secrets Manager store, each value cached for its configured age. */
export const secretStoreFor = (
  config: { readonly secretsCacheMaxAgeSeconds: number },
  client: SecretsManagerClient,
): SecretsManagerStore => new SecretsManagerStore(config.secretsCacheMaxAgeSeconds, client);
