import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type StripeSandbox, startStripeSandbox } from 'stripe-sandbox';
import { DynamoParkedEventStore } from '../lambda/adapters/dynamo-parked-event-store';
import type { StripeConnection } from '../lambda/adapters/stripe-sdk-gateway';
import { buildApiHandler } from '../lambda/api/composition-root';
import { type ApiConfig, loadApiConfig } from '../lambda/api/config';
import { buildCatalogSnapshotRefresh } from '../lambda/catalog/composition-root';
import { type CatalogSnapshotConfig, loadCatalogSnapshotConfig } from '../lambda/catalog/config';
import type { RefreshReport } from '../lambda/catalog/use-cases/refresh-catalog-snapshot';
import { LISTING_FRESHNESS } from '../lambda/domain/price-listing';
import type { HttpHandler } from '../lambda/core/http-handler';
import type { ParkedEventStore } from '../lambda/domain/parked-event';
import { createLogger, type Logger } from '../lambda/core/logger';
import { parseSecretList, type SecretStore, StaticSecretStore } from '../lambda/core/secrets';
import { ENV } from '../lambda/shared/function-environment';
import { BILLING_EVENTS_TOPIC_SUFFIX } from '../lambda/shared/naming';
import { type FunctionId, ROUTES } from '../lambda/shared/routes';
import { SECRETS, type SecretId } from '../lambda/shared/secrets';
import { STRIPE_API_VERSION } from '../lambda/shared/stripe-api-version';
import {
  CATALOG_SNAPSHOT_TABLE,
  CATALOG_SYNC_TABLE,
  CUSTOMERS_TABLE,
  PARKED_EVENTS_TABLE,
  PRICES_TABLE,
  PRODUCTS_TABLE,
  RECONCILIATION_STATE_TABLE,
  SUBSCRIPTION_ORDER_TABLE,
  type TableDefinition,
  WEBHOOK_IDEMPOTENCY_TABLE,
} from '../lambda/shared/tables';
import { buildWebhookHandler } from '../lambda/webhook/composition-root';
import { loadWebhookConfig, type WebhookConfig } from '../lambda/webhook/config';
import { BillingEventsRecorder } from './billing-events-recorder';
import {
  type LocalConfig,
  type LocalPorts,
  localRedirectOrigins,
  localResourceName,
  PORT_ENV_VARS,
} from './config';
import { pooledHandler } from './handler-pool';
import {
  BodyTooLargeError,
  localContext,
  matchRoute,
  readBody,
  toApiGatewayEvent,
  writeJson,
  writeResult,
} from './http-adapter';
import { issueLocalToken, listBillingEvents, listParkedEvents, LOCAL_ROUTES } from './local-routes';
import { DEMO_PATHS, renderDemoPage } from './demo-page';
import { readCatalogSeed, SAMPLE_CATALOG_FILE, seedCatalog } from './seed-catalog';
import { localDynamoClient, localSnsClient, localSqsClient } from './services/aws-clients';
import type { RunningService, ServiceDiedError } from './services/child-service';
import { DYNAMODB_LOCAL_NAME, startDynamoDbLocal } from './services/dynamodb-local';
import { assertPortsFree, type NeededPort } from './services/ports';
import { createTable, createTopic, subscribeQueue } from './services/provision';
import { SNS_EMULATOR_NAME, startSnsEmulator } from './services/sns-emulator';

export interface LocalStackOptions {
  readonly config: LocalConfig;
  /** Use already-running services instead of starting them (the integration tests do). */
  readonly endpoints?: { readonly dynamodb: string; readonly sns: string };
  readonly catalogFile?: string;
  readonly logger?: Logger;
  /** Where the Stripe sandbox logs its webhook deliveries. */
  readonly sandboxLog?: (line: string) => void;
}

export interface LocalResourceNames {
  readonly customersTable: string;
  readonly idempotencyTable: string;
  readonly catalogSyncTable: string;
  readonly parkedEventsTable: string;
  readonly subscriptionOrderTable: string;
  readonly reconciliationStateTable: string;
  readonly catalogSnapshotTable: string;
  readonly productsTable: string;
  readonly pricesTable: string;
  readonly billingEventsTopic: string;
  readonly secrets: Readonly<Record<SecretId, string>>;
}

export interface LocalStack {
  readonly apiUrl: string;
  /** The Stripe sandbox, unless a real test-mode key is configured. */
  readonly stripeSandbox: StripeSandbox | undefined;
  readonly endpoints: { readonly dynamodb: string; readonly sns: string };
  readonly names: LocalResourceNames;
  readonly functions: LocalFunctionSettings;
  readonly billingEventsTopicArn: string;
  readonly billingEvents: BillingEventsRecorder;
  /**
   * One catalog snapshot pass now (the stack also runs one every
   * `LISTING_FRESHNESS.refreshSeconds`, as the deployed schedule does).
   */
  refreshCatalogSnapshot(): Promise<RefreshReport>;
  /** The services this stack started (none when given endpoints). */
  readonly services: readonly RunningService[];
  /**
   * Resolves, once the stack has stopped itself, if a service it started dies: requests
   * would otherwise fail opaquely against a dead port. Never settles when it started none.
   */
  readonly failed: Promise<ServiceDiedError>;
  stop(): Promise<void>;
}

export function localResourceNames(config: LocalConfig): LocalResourceNames {
  const name = (suffix: string) => localResourceName(config, suffix);
  return {
    customersTable: name(CUSTOMERS_TABLE.nameSuffix),
    idempotencyTable: name(WEBHOOK_IDEMPOTENCY_TABLE.nameSuffix),
    catalogSyncTable: name(CATALOG_SYNC_TABLE.nameSuffix),
    parkedEventsTable: name(PARKED_EVENTS_TABLE.nameSuffix),
    subscriptionOrderTable: name(SUBSCRIPTION_ORDER_TABLE.nameSuffix),
    reconciliationStateTable: name(RECONCILIATION_STATE_TABLE.nameSuffix),
    catalogSnapshotTable: name(CATALOG_SNAPSHOT_TABLE.nameSuffix),
    productsTable: name(PRODUCTS_TABLE.nameSuffix),
    pricesTable: name(PRICES_TABLE.nameSuffix),
    billingEventsTopic: name(BILLING_EVENTS_TOPIC_SUFFIX),
    secrets: {
      stripeSecretKey: name(SECRETS.stripeSecretKey.nameSuffix),
      stripeWebhookSecret: name(SECRETS.stripeWebhookSecret.nameSuffix),
      jwtAccessTokenSecret: name(SECRETS.jwtAccessTokenSecret.nameSuffix),
    },
  };
}

/** What listens on each local port, as named to whoever finds it busy. */
const PORT_PURPOSES: Readonly<Record<keyof LocalPorts, string>> = {
  api: 'the local API',
  dynamodb: DYNAMODB_LOCAL_NAME,
  sns: `the ${SNS_EMULATOR_NAME}`,
  stripeSandbox: 'the Stripe sandbox',
};

/** Every port the stack will listen on: the services' only when it starts them. */
function neededPorts(config: LocalConfig, { startsServices }: { startsServices: boolean }) {
  const listens: Record<keyof LocalPorts, boolean> = {
    api: true,
    dynamodb: startsServices,
    sns: startsServices,
    stripeSandbox: config.stripe === 'sandbox',
  };
  return (Object.keys(listens) as (keyof LocalPorts)[])
    .filter((name) => listens[name])
    .map((name): NeededPort => ({
      port: config.ports[name],
      purpose: PORT_PURPOSES[name],
      envVar: PORT_ENV_VARS[name],
    }));
}

/**
 * The whole service on this machine: DynamoDB Local and the SNS/SQS emulator (started
 * here unless given), the tables and the topic, the sample catalog, and the real
 * Lambda handlers behind a local HTTP adapter that speaks the HTTP API's event format.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { config } = options;
  const seed = readCatalogSeed(options.catalogFile ?? SAMPLE_CATALOG_FILE);
  const services: RunningService[] = [];
  const stopServices = () => Promise.all(services.map((service) => service.stop()));

  let endpoints = options.endpoints;
  await assertPortsFree(neededPorts(config, { startsServices: !endpoints }));
  if (!endpoints) {
    const started = await Promise.allSettled([
      startDynamoDbLocal(config.ports.dynamodb),
      startSnsEmulator(config.ports.sns),
    ]);
    for (const result of started) if (result.status === 'fulfilled') services.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await stopServices();
      throw failed.reason;
    }
    const [dynamo, sns] = services as [RunningService, RunningService];
    endpoints = { dynamodb: dynamo.endpoint, sns: sns.endpoint };
  }

  let stripeSandbox: StripeSandbox | undefined;
  try {
    const names = localResourceNames(config);
    const dynamo = localDynamoClient(endpoints.dynamodb);
    const sns = localSnsClient(endpoints.sns);
    const sqs = localSqsClient(endpoints.sns);

    const tables: [TableDefinition, string][] = [
      [CUSTOMERS_TABLE, names.customersTable],
      [WEBHOOK_IDEMPOTENCY_TABLE, names.idempotencyTable],
      [CATALOG_SYNC_TABLE, names.catalogSyncTable],
      [PARKED_EVENTS_TABLE, names.parkedEventsTable],
      [SUBSCRIPTION_ORDER_TABLE, names.subscriptionOrderTable],
      [RECONCILIATION_STATE_TABLE, names.reconciliationStateTable],
      [CATALOG_SNAPSHOT_TABLE, names.catalogSnapshotTable],
      [PRODUCTS_TABLE, names.productsTable],
      [PRICES_TABLE, names.pricesTable],
    ];
    await Promise.all(
      tables.map(([definition, tableName]) => createTable(dynamo, definition, tableName)),
    );
    await seedCatalog(DynamoDBDocumentClient.from(dynamo), names, seed);
    const topicArn = await createTopic(sns, names.billingEventsTopic);
    const subscriber = await subscribeQueue(
      sns,
      sqs,
      topicArn,
      `${names.billingEventsTopic}-local-subscriber`,
    );
    const billingEvents = new BillingEventsRecorder(sqs, subscriber.queueUrl);
    const parkedEvents = new DynamoParkedEventStore(
      DynamoDBDocumentClient.from(dynamo),
      names.parkedEventsTable,
    );

    if (config.stripe === 'sandbox') {
      stripeSandbox = await startStripeSandbox({
        port: config.ports.stripeSandbox,
        apiVersion: STRIPE_API_VERSION,
        // The first signing secret signs, as Stripe signs with the endpoint's current one.
        webhookSecret:
          parseSecretList(config.secrets.stripeWebhookSecret, 'STRIPE_WEBHOOK_SECRET')[0] ?? '',
        ...(options.sandboxLog ? { log: options.sandboxLog } : {}),
      });
    }
    const stripeConnection = stripeSandbox
      ? { host: '127.0.0.1', port: stripeSandbox.port, protocol: 'http' as const }
      : undefined;
    // Built once the API's port is known: its own origin is an allowed redirect target.
    const built: { handlers?: Record<FunctionId, HttpHandler> } = {};
    const server = createServer((request, response) => {
      const ready = built.handlers;
      if (!ready) {
        writeJson(response, 503, {
          error: { code: 'not_ready', message: 'The local API is still starting.' },
        });
        return;
      }
      void handleRequest(request, response, {
        config,
        handlers: ready,
        billingEvents,
        parkedEvents,
      }).catch((error: unknown) => {
        console.error('Local adapter failure', error);
        if (!response.headersSent) {
          writeJson(response, 500, {
            error: { code: 'internal_error', message: 'The local adapter failed.' },
          });
        }
      });
    });
    const port = await listen(server, config.ports.api);
    const apiUrl = `http://localhost:${port}`;
    const functions = localFunctionSettings(
      { ...config, allowedRedirectOrigins: localRedirectOrigins(port) },
      names,
      topicArn,
      stripeConnection,
    );
    // The listing reads a snapshot: one pass before the first request, then one every
    // refreshSeconds, as the deployed schedule's passes do.
    const refreshCatalogSnapshot = buildCatalogSnapshotRefresh(functions.catalogSnapshot, {
      dynamo,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    await refreshCatalogSnapshot();
    const snapshotTimer = setInterval(() => {
      refreshCatalogSnapshot().catch((error: unknown) => {
        (options.logger ?? console).error('Catalog snapshot pass failed', { error });
      });
    }, LISTING_FRESHNESS.refreshSeconds * 1000);
    snapshotTimer.unref();
    built.handlers = buildLocalHandlers(functions, { dynamo, sns }, options.logger);
    stripeSandbox?.state.delivery.configure({
      endpoints: [`${apiUrl}${ROUTES.stripeWebhook.path}`],
    });
    const sandbox = stripeSandbox;
    // Once only: a dying service and Ctrl-C may both ask.
    let stopped: Promise<void> | undefined;
    const stop = () =>
      (stopped ??= (async () => {
        clearInterval(snapshotTimer);
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
          server.closeAllConnections();
        });
        await sandbox?.stop();
        for (const client of [dynamo, sns, sqs]) client.destroy();
        await stopServices();
      })());

    return {
      apiUrl,
      stripeSandbox: sandbox,
      endpoints,
      names,
      functions,
      billingEventsTopicArn: topicArn,
      billingEvents,
      refreshCatalogSnapshot,
      services,
      failed: stopOnFirstDeath(services, { stop, stopRequested: () => stopped !== undefined }),
      stop,
    };
  } catch (error) {
    await stripeSandbox?.stop();
    await stopServices();
    throw error;
  }
}

/**
 * Stops everything when the first service dies, then tells which died and how. A service
 * that exits once the stack is stopping is no death: Ctrl-C signals the whole process
 * group, so the services may exit of it before the stack gets to stop them.
 */
async function stopOnFirstDeath(
  services: readonly RunningService[],
  stack: { stop(): Promise<void>; stopRequested(): boolean },
): Promise<ServiceDiedError> {
  const death = await Promise.race(services.map((service) => service.died));
  if (stack.stopRequested()) return new Promise<never>(() => undefined);
  await stack.stop();
  return death;
}

/**
 * What the local handlers are built from: each function's configuration (read from the
 * same environment the stack gives the deployed functions, validated the same way), the
 * local secrets, and where Stripe is. Tests and benchmarks build variants of the handlers
 * from it with other clients.
 */
export interface LocalFunctionSettings {
  readonly api: ApiConfig;
  readonly webhook: WebhookConfig;
  readonly catalogSnapshot: CatalogSnapshotConfig;
  readonly secrets: SecretStore;
  /** The sandbox, or Stripe itself (undefined) with a real test-mode key. */
  readonly stripeConnection: StripeConnection | undefined;
}

function localFunctionSettings(
  config: LocalConfig,
  names: LocalResourceNames,
  topicArn: string,
  stripeConnection: StripeConnection | undefined,
): LocalFunctionSettings {
  const environment = {
    [ENV.customersTable]: names.customersTable,
    [ENV.idempotencyTable]: names.idempotencyTable,
    [ENV.catalogSyncTable]: names.catalogSyncTable,
    [ENV.parkedEventsTable]: names.parkedEventsTable,
    [ENV.subscriptionOrderTable]: names.subscriptionOrderTable,
    [ENV.reconciliationStateTable]: names.reconciliationStateTable,
    [ENV.catalogSnapshotTable]: names.catalogSnapshotTable,
    [ENV.productsTable]: names.productsTable,
    [ENV.pricesTable]: names.pricesTable,
    [ENV.billingEventsTopicArn]: topicArn,
    [ENV.stripeSecretKeyName]: names.secrets.stripeSecretKey,
    [ENV.stripeWebhookSecretName]: names.secrets.stripeWebhookSecret,
    [ENV.jwtSecretName]: names.secrets.jwtAccessTokenSecret,
    [ENV.allowedRedirectOrigins]: config.allowedRedirectOrigins.join(','),
  };
  return {
    api: loadApiConfig(environment),
    webhook: loadWebhookConfig(environment),
    catalogSnapshot: loadCatalogSnapshotConfig(environment),
    secrets: new StaticSecretStore(
      Object.fromEntries(
        (Object.keys(names.secrets) as SecretId[]).map((id) => [
          names.secrets[id],
          config.secrets[id],
        ]),
      ),
    ),
    stripeConnection,
  };
}

/**
 * The two functions' handlers, built by their own composition roots with local clients.
 * Each function gets a pool of instances, one per request in flight, as Lambda gives each
 * concurrent request a container of its own; each instance logs through its own child of
 * `logger`, so one request's keys never appear on another's lines. The AWS clients are
 * shared: they hold no request state, and one connection pool per endpoint is enough.
 */
function buildLocalHandlers(
  settings: LocalFunctionSettings,
  clients: {
    readonly dynamo: ReturnType<typeof localDynamoClient>;
    readonly sns: ReturnType<typeof localSnsClient>;
  },
  logger: Logger = createLogger(),
): Record<FunctionId, HttpHandler> {
  const { secrets, stripeConnection } = settings;
  return {
    api: pooledHandler(() =>
      buildApiHandler(settings.api, {
        dynamo: clients.dynamo,
        secrets,
        logger: logger.createChild(),
        ...(stripeConnection ? { stripeConnection } : {}),
      }),
    ),
    webhook: pooledHandler(() =>
      buildWebhookHandler(settings.webhook, {
        ...clients,
        secrets,
        logger: logger.createChild(),
        ...(stripeConnection ? { stripeConnection } : {}),
      }),
    ),
  };
}

interface RequestContext {
  readonly config: LocalConfig;
  readonly handlers: Record<FunctionId, HttpHandler>;
  readonly billingEvents: BillingEventsRecorder;
  readonly parkedEvents: ParkedEventStore;
}

async function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  context: RequestContext,
) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';

  if (method === 'GET' && DEMO_PATHS.includes(url.pathname)) {
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    });
    response.end(renderDemoPage());
    return;
  }
  if (method === 'GET' && url.pathname === LOCAL_ROUTES.token) {
    const result = await issueLocalToken(
      url.searchParams,
      context.config.secrets.jwtAccessTokenSecret,
    );
    writeJson(response, result.status, result.body);
    return;
  }
  if (method === 'GET' && url.pathname === LOCAL_ROUTES.billingEvents) {
    const result = await listBillingEvents(context.billingEvents);
    writeJson(response, result.status, result.body);
    return;
  }
  if (method === 'GET' && url.pathname === LOCAL_ROUTES.parkedEvents) {
    const result = await listParkedEvents(context.parkedEvents);
    writeJson(response, result.status, result.body);
    return;
  }

  const match = matchRoute(method, url.pathname);
  if (!match) {
    writeJson(response, 404, {
      error: { code: 'route_not_found', message: `No route ${method} ${url.pathname}.` },
    });
    return;
  }
  let body: Buffer;
  try {
    body = await readBody(request);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    writeJson(response, 413, { error: { code: 'payload_too_large', message: error.message } });
    return;
  }
  const event = toApiGatewayEvent(request, url, body, match);
  const functionId = match.route.function;
  const result = await context.handlers[functionId](
    event,
    localContext(`local-stripe-${functionId}`),
  );
  writeResult(response, result);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
