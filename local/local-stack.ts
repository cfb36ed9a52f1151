import type { StripeSandbox } from 'stripe-sandbox';
import type { RefreshReport } from '../lambda/catalog/use-cases/refresh-catalog-snapshot';
import type { Logger } from '../lambda/core/logger';
import type { BillingEventsRecorder } from './billing-events-recorder';
import { type LocalConfig, localRedirectOrigins } from './config';
import { readCatalogSeed, SAMPLE_CATALOG_FILE } from './seed-catalog';
import type { RunningService, ServiceDiedError } from './services/child-service';
import { startCatalogSnapshotTimer } from './stack/catalog-snapshot';
import { Cleanup } from './stack/cleanup';
import { LocalEventBridge } from './stack/event-bridge';
import { type LocalFunctionSettings, localFunctionSettings } from './stack/function-settings';
import { buildLocalEventBridgeHandler, buildLocalHandlers } from './stack/handlers';
import { type LocalHttpServer, startHttpServer } from './stack/http-server';
import { type LocalResourceNames, localResourceNames } from './stack/resource-names';
import { parkedEventStore, provisionResources } from './stack/resources';
import {
  checkPortsFree,
  type LocalClients,
  type LocalEndpoints,
  openClients,
  startOrReuseServices,
  stopOnFirstDeath,
} from './stack/services';
import {
  deliverSandboxEventBridgeTo,
  deliverSandboxEventsTo,
  sandboxConnection,
  startSandboxIfUsed,
} from './stack/stripe-sandbox';

export interface LocalStackOptions {
  readonly config: LocalConfig;
  /** Use already-running services instead of starting them (the integration tests do). */
  readonly endpoints?: LocalEndpoints;
  readonly catalogFile?: string;
  readonly logger?: Logger;
  /** Where the Stripe sandbox logs its webhook deliveries. */
  readonly sandboxLog?: (line: string) => void;
}

export interface LocalStack {
  readonly apiUrl: string;
  /** The Stripe sandbox, unless a real test-mode key is configured. */
  readonly stripeSandbox: StripeSandbox | undefined;
  readonly endpoints: LocalEndpoints;
  readonly names: LocalResourceNames;
  readonly functions: LocalFunctionSettings;
  readonly billingEventsTopicArn: string;
  readonly billingEvents: BillingEventsRecorder;
  /**
   * The stand-in for a Stripe event destination's partner event bus, always on: the
   * stack's rule pattern, the EventBridge function, Lambda's retries and a dead-letter list
   * (`local/stack/event-bridge.ts`; `/_local/eventbridge/...`).
   */
  readonly eventBridge: LocalEventBridge;
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

/**
 * The whole service on this machine: DynamoDB Local and the SNS/SQS emulator (started
 * here unless given), the tables and the topic, the sample catalog, and the real
 * Lambda handlers behind a local HTTP adapter that speaks the HTTP API's event format.
 * Each step registers what undoes it, so a failed start leaves nothing running and
 * `stop()` undoes everything, newest first.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { config, logger } = options;
  const seed = readCatalogSeed(options.catalogFile ?? SAMPLE_CATALOG_FILE);
  await checkPortsFree(config, { startsServices: !options.endpoints });
  const cleanup = new Cleanup();
  try {
    const { endpoints, services } = await startOrReuseServices(config, options.endpoints, cleanup);
    const clients = openClients(endpoints, cleanup);
    const names = localResourceNames(config);
    const topic = await provisionResources(config, clients, names, seed);
    const stripeSandbox = await startSandboxIfUsed(config, options.sandboxLog, cleanup);
    const server = await startHttpServer(
      {
        config,
        billingEvents: topic.billingEvents,
        parkedEvents: parkedEventStore(clients.dynamo, names),
      },
      cleanup,
    );
    const functions = localFunctionSettings(
      { ...config, allowedRedirectOrigins: localRedirectOrigins(server.port) },
      names,
      topic.topicArn,
      sandboxConnection(stripeSandbox),
    );
    const refreshCatalogSnapshot = await startCatalogSnapshotTimer(
      functions.catalogSnapshot,
      clients.dynamo,
      logger,
      cleanup,
    );
    const eventBridge = serveFunctions(server, functions, clients, logger, cleanup);
    deliverSandboxEventsTo(stripeSandbox, server.url);
    deliverSandboxEventBridgeTo(stripeSandbox, eventBridge);

    // Once only: a dying service and Ctrl-C may both ask.
    let stopped: Promise<void> | undefined;
    const stop = () => (stopped ??= cleanup.run());
    return {
      apiUrl: server.url,
      stripeSandbox,
      endpoints,
      names,
      functions,
      billingEventsTopicArn: topic.topicArn,
      billingEvents: topic.billingEvents,
      eventBridge,
      refreshCatalogSnapshot,
      services,
      failed: stopOnFirstDeath(services, { stop, stopRequested: () => stopped !== undefined }),
      stop,
    };
  } catch (error) {
    // The step's own failure is what to report; undoing the others is best effort.
    await cleanup.run().catch(() => undefined);
    throw error;
  }
}

/**
 * The functions behind the local API's routes and the EventBridge stand-in, built with
 * the stack's clients; the stand-in is returned (the sandbox delivers to it too).
 */
function serveFunctions(
  server: LocalHttpServer,
  functions: LocalFunctionSettings,
  clients: LocalClients,
  logger: Logger | undefined,
  cleanup: Cleanup,
): LocalEventBridge {
  const eventBridge = new LocalEventBridge({
    source: functions.eventBridge.eventBridgeSource,
    handler: buildLocalEventBridgeHandler(functions, clients, logger),
    ...(logger ? { logger } : {}),
  });
  // Invocations still retrying finish before the clients they use are closed.
  cleanup.add(() => eventBridge.settled());
  server.serve(buildLocalHandlers(functions, clients, logger), (request, response, url) =>
    eventBridge.handleHttp(request, response, url),
  );
  return eventBridge;
}
