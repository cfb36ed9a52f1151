import { type Environment, EnvironmentReader } from '../core/config';
import { DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS, type SecretRef } from '../core/secrets';
import { ENV } from '../shared/function-environment';

export interface ApiConfig {
  readonly customersTable: string;
  readonly catalogSyncTable: string;
  readonly productsTable: string;
  readonly pricesTable: string;
  readonly catalogSnapshotTable: string;
  readonly stripeSecretKey: SecretRef;
  readonly jwtSecret: SecretRef;
  /** When set, access tokens must carry this `iss`. */
  readonly jwtIssuer?: string;
  /** When set, access tokens must carry this `aud`. */
  readonly jwtAudience?: string;
  readonly allowedRedirectOrigins: readonly string[];
  readonly secretsCacheMaxAgeSeconds: number;
}

/** The API function's settings, from the environment the stack (or the local run) sets. */
export function loadApiConfig(env: Environment): ApiConfig {
  const read = new EnvironmentReader(env);
  return read.done({
    customersTable: read.required(ENV.customersTable),
    catalogSyncTable: read.required(ENV.catalogSyncTable),
    productsTable: read.required(ENV.productsTable),
    pricesTable: read.required(ENV.pricesTable),
    catalogSnapshotTable: read.required(ENV.catalogSnapshotTable),
    stripeSecretKey: read.secret(ENV.stripeSecretKeyName, ENV.stripeSecretKeyField),
    jwtSecret: read.secret(ENV.jwtSecretName, ENV.jwtSecretField),
    ...read.optional('jwtIssuer', ENV.jwtIssuer),
    ...read.optional('jwtAudience', ENV.jwtAudience),
    allowedRedirectOrigins: read.list(ENV.allowedRedirectOrigins),
    secretsCacheMaxAgeSeconds: read.positiveInteger(
      ENV.secretsCacheMaxAgeSeconds,
      DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS,
    ),
  });
}
