import { type CatalogTables, readCatalogTables } from '../catalog/config';
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '../core/auth';
import { type Environment, type EnvironmentReader, readEnvironment } from '../core/config';
import type { UserRequestLimit } from '../domain/request-limit';
import { readSecretsCacheMaxAge } from '../core/secrets';
import { ENV, USER_RATE_LIMIT_OFF } from '../shared/function-environment';
import type { SecretRef } from '../shared/secrets';

export interface ApiConfig extends CatalogTables {
  readonly customersTable: string;
  readonly catalogSyncTable: string;
  readonly stripeSecretKey: SecretRef;
  readonly jwtSecret: SecretRef;
  /** When set, access tokens must carry this `iss`. */
  readonly jwtIssuer?: string;
  /** When set, access tokens must carry this `aud`. */
  readonly jwtAudience?: string;
  /** A token that lives longer is refused (`TokenRequirements.maxLifetimeSeconds`). */
  readonly jwtMaxLifetimeSeconds: number;
  readonly allowedRedirectOrigins: readonly string[];
  readonly secretsCacheMaxAgeSeconds: number;
  /** The per-user request limit of the authenticated routes and its counters' table, or off. */
  readonly userRateLimit: (UserRequestLimit & { readonly table: string }) | false;
}

/** The API function's settings, from the environment the stack (or the local run) sets. */
export const loadApiConfig = (env: Environment): ApiConfig =>
  readEnvironment(env, (read) => ({
    customersTable: read.required(ENV.customersTable),
    catalogSyncTable: read.required(ENV.catalogSyncTable),
    ...readCatalogTables(read),
    stripeSecretKey: read.secret(ENV.stripeSecretKeyName, ENV.stripeSecretKeyField),
    jwtSecret: read.secret(ENV.jwtSecretName, ENV.jwtSecretField),
    ...read.optional('jwtIssuer', ENV.jwtIssuer),
    ...read.optional('jwtAudience', ENV.jwtAudience),
    jwtMaxLifetimeSeconds: read.positiveInteger(
      ENV.jwtMaxLifetimeSeconds,
      DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
    ),
    allowedRedirectOrigins: read.list(ENV.allowedRedirectOrigins),
    secretsCacheMaxAgeSeconds: readSecretsCacheMaxAge(read),
    userRateLimit: readUserRateLimit(read),
  }));

/** The limit, or `false` for an explicit `off`; unset is a misconfiguration, not "off". */
function readUserRateLimit(read: EnvironmentReader): ApiConfig['userRateLimit'] {
  const requests = read.required(ENV.userRateLimitRequests);
  if (requests === USER_RATE_LIMIT_OFF) return false;
  return {
    table: read.required(ENV.userRateLimitTable),
    // Unset is already reported by `required`.
    requests: requests === '' ? 0 : read.positiveInteger(ENV.userRateLimitRequests, 0),
    windowSeconds: read.requiredPositiveInteger(ENV.userRateLimitWindowSeconds),
  };
}
