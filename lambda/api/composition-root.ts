import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CachedCatalogSnapshot } from '../adapters/cached-catalog-snapshot';
import { DynamoCatalogRepository } from '../adapters/dynamo-catalog-repository';
import { DynamoCatalogSnapshotStore } from '../adapters/dynamo-catalog-snapshot';
import { DynamoCatalogSyncRepository } from '../adapters/dynamo-catalog-sync-repository';
import { DynamoCustomerRepository } from '../adapters/dynamo-customer-repository';
import { DynamoUserRequestLimiter } from '../adapters/dynamo-user-request-limiter';
import {
  StripeClientProvider,
  type StripeConnection,
  StripeSdkGateway,
} from '../adapters/stripe-sdk-gateway';
import { RedirectPolicy } from '../domain/redirect-policy';
import { JwtAuthenticator } from '../core/auth';
import type { HttpHandler } from '../core/http-handler';
import { createLogger, type Logger } from '../core/logger';
import { dependencyFailureOf } from '../core/dependencies';
import { countDependencyFailure } from '../core/dependency-metrics';
import { NO_METRICS, type ServiceMetrics } from '../domain/metrics';
import { LISTING_FRESHNESS, LISTING_STALE_IF_ERROR_SECONDS } from '../domain/price-listing';
import { secretStoreFor, secretValueReader, type SecretStore } from '../core/secrets';
import { createApiHandler } from './api-handler';
import { type ApiConfig, loadApiConfig } from './config';
import type { SecretRef } from '../shared/secrets';
import type { Environment } from '../core/config';
import { coldStart, type FunctionClients } from '../core/cold-start';

/** The clients the API function talks through: AWS in Lambda, local stand-ins in `npm start`. */
export interface ApiInfrastructure {
  readonly dynamo: DynamoDBClient;
  readonly secrets: SecretStore;
  /** Stripe itself when absent; the local sandbox in `npm start`. */
  readonly stripeConnection?: StripeConnection;
  readonly logger?: Logger;
  /** Powertools Metrics in Lambda; nothing is counted when absent (the local run). */
  readonly metrics?: ServiceMetrics;
  /**
   * The clock the price listing's in-memory head ages by (epoch ms): `Date.now` unless
   * given (tests move it instead of waiting out the head's lifetime).
   */
  readonly listingClock?: () => number;
}

/** Builds the API handler's real dependencies from its configuration and clients. */
export function buildApiHandler(config: ApiConfig, infrastructure: ApiInfrastructure): HttpHandler {
  const logger = infrastructure.logger ?? createLogger();
  const documents = DynamoDBDocumentClient.from(infrastructure.dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const secret = (ref: SecretRef) => secretValueReader(infrastructure.secrets, ref);
  const stripe = new StripeSdkGateway(
    new StripeClientProvider(secret(config.stripeSecretKey), infrastructure.stripeConnection),
  );

  return createApiHandler({
    logger,
    metrics: infrastructure.metrics,
    ...(config.userRateLimit === false
      ? {}
      : {
          requestLimiter: new DynamoUserRequestLimiter(
            documents,
            config.userRateLimit.table,
            config.userRateLimit,
          ),
        }),
    authenticator: new JwtAuthenticator(secret(config.jwtSecret), {
      ...(config.jwtIssuer !== undefined ? { issuer: config.jwtIssuer } : {}),
      ...(config.jwtAudience !== undefined ? { audience: config.jwtAudience } : {}),
      maxLifetimeSeconds: config.jwtMaxLifetimeSeconds,
    }),
    customers: new DynamoCustomerRepository(documents, config.customersTable),
    stripe,
    redirects: new RedirectPolicy(config.allowedRedirectOrigins),
    catalogSync: new DynamoCatalogSyncRepository(documents, config.catalogSyncTable),
    now: () => new Date(),
    catalog: new DynamoCatalogRepository(
      documents,
      { productsTable: config.productsTable, pricesTable: config.pricesTable },
      logger,
    ),
    priceListing: new CachedCatalogSnapshot(
      new DynamoCatalogSnapshotStore(documents, config.catalogSnapshotTable),
      {
        headTtlMs: LISTING_FRESHNESS.headCacheSeconds * 1000,
        maxChunks: SNAPSHOT_CHUNKS_CACHED,
        staleIfErrorMs: LISTING_STALE_IF_ERROR_SECONDS * 1000,
        onStaleServed: staleHeadReport(logger, infrastructure.metrics ?? NO_METRICS),
        ...(infrastructure.listingClock ? { now: infrastructure.listingClock } : {}),
      },
    ),
  });
}

/**
 * A failed read of the listing's head that a stale head covered: the request succeeds, so
 * the HTTP shell never sees the failure; it is logged and counted here instead, as the AWS
 * failure (or timeout) it is.
 */
const staleHeadReport =
  (logger: Logger, metrics: ServiceMetrics) =>
  (error: unknown, staleSeconds: number): void => {
    countDependencyFailure(metrics, error);
    logger.warn('Catalog snapshot head not read; the listing answers from memory, marked stale', {
      staleSeconds,
      ...dependencyFailureOf(error),
      error: error as Error,
    });
  };

/** About 2 MB of listing kept per container at most (a chunk is up to ~20 KB typically). */
const SNAPSHOT_CHUNKS_CACHED = 100;

/**
 * The deployed function, as its index builds it at cold start: the configuration from
 * the environment the stack sets (a misconfigured function fails here, naming every
 * missing setting), then the composition root with the given AWS clients.
 */
export function apiFunction(env: Environment, aws: Omit<FunctionClients, 'sns'>): HttpHandler {
  const config = loadApiConfig(env);
  const { logger, metrics } = coldStart(env);
  return metrics.instrument(
    buildApiHandler(config, {
      logger,
      metrics,
      dynamo: aws.dynamo,
      secrets: secretStoreFor(config, aws.secretsManager),
      ...(aws.stripeConnection ? { stripeConnection: aws.stripeConnection } : {}),
    }),
  );
}
