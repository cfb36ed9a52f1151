import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoCatalogRepository } from '../lambda/adapters/dynamo-catalog-repository';
import { buildApiHandler } from '../lambda/api/composition-root';
import { buildCatalogSnapshotRefresh } from '../lambda/catalog/composition-root';
import { buildPriceListing } from '../lambda/domain/price-listing';
import { ROUTES } from '../lambda/shared/routes';
import type { LocalStack } from '../local/local-stack';
import { readCatalogSeed } from '../local/seed-catalog';
import { apiEvent, lambdaContext } from '../test/support/api-events';
import { benchClientConfig } from './local-services';
import { median } from './support';

/** Catalog sizes measured: the sample's scale, a real shop's, a marketplace's. */
const CATALOG_SIZES = [15, 1_000, 10_000] as const;
/** Listings measured per figure (fewer for the old full read at 10,000: it takes seconds). */
const RUNS = 41;
const FULL_READ_RUNS = 7;
/** Listings in the "deployed" stream: one container, back to back, its head cache on. */
const STREAM = 400;
export const CATALOG_STREAM = STREAM;
const PRODUCTS = 50;

export interface CatalogScaleFigure {
  readonly prices: number;
  /** The previous route: scan + batch-get + join, per request. */
  readonly fullRead: DynamoFigure & { readonly bytes: number };
  /** First page with the head read every time (a container's cache miss). */
  readonly firstPage: DynamoFigure & { readonly bytes: number };
  /** First pages back to back on one container (the cache as deployed). */
  readonly stream: { readonly p50: number; readonly requestsPerListing: number };
  /** A page from a cursor (the middle of the catalog), chunk cache cold. */
  readonly cursorPage: DynamoFigure;
  /** One snapshot pass that published the grown catalog. */
  readonly refresh: {
    readonly ms: number;
    readonly requests: number;
    readonly rcu: number;
    readonly wcu: number;
  };
}

export interface DynamoFigure {
  readonly p50: number;
  readonly requestsPerListing: number;
  readonly rcuPerListing: number;
}

/** Counts the DynamoDB requests a client makes and the capacity DynamoDB says they used. */
class CapacityMeter {
  requests = 0;
  rcu = 0;
  wcu = 0;

  constructor(readonly client: DynamoDBClient) {
    client.middlewareStack.add(
      (next) => async (args) => {
        this.requests++;
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: Capacity | Capacity[] };
        const consumed = output.ConsumedCapacity;
        for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          this.rcu += entry.ReadCapacityUnits ?? 0;
          this.wcu += entry.WriteCapacityUnits ?? 0;
          // DynamoDB Local reports only the total for some operations.
          if (entry.ReadCapacityUnits === undefined && entry.WriteCapacityUnits === undefined) {
            this.rcu += entry.CapacityUnits ?? 0;
          }
        }
        return result;
      },
      { step: 'initialize', name: 'bench-capacity' },
    );
  }

  reset(): void {
    this.requests = 0;
    this.rcu = 0;
    this.wcu = 0;
  }
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times;
}

/**
 * `GET /stripe/prices` as the catalog grows from 15 to 10,000 prices: the previous route
 * (a scan of the prices table and a batch-read of the products per request) beside the
 * snapshot route, through the API handler built as in Lambda, on DynamoDB Local, with
 * DynamoDB's own capacity figures (`ReturnConsumedCapacity`).
 */
export async function measureCatalogScale(stack: LocalStack): Promise<CatalogScaleFigure[]> {
  const meter = new CapacityMeter(new DynamoDBClient(benchClientConfig(stack.endpoints.dynamodb)));
  const documents = DynamoDBDocumentClient.from(meter.client);
  const logger = new Logger({ logLevel: 'SILENT' });
  const names = stack.functions.catalogSnapshot;
  const refresh = buildCatalogSnapshotRefresh(names, { dynamo: meter.client, logger });
  const listing = meteredListing(stack, meter, logger);
  const catalog = new DynamoCatalogRepository(
    documents,
    { productsTable: names.productsTable, pricesTable: names.pricesTable },
    logger,
  );

  await writeProducts(documents, names.productsTable);
  // The sample catalog is there already: the benchmark's prices make up the rest.
  const seeded = readCatalogSeed().prices.length;
  let written = 0;
  const figures: CatalogScaleFigure[] = [];
  for (const size of CATALOG_SIZES) {
    await writePrices(documents, names.pricesTable, written, size - seeded);
    written = size - seeded;
    const refreshFigure = await measureRefresh(meter, refresh);
    figures.push({
      prices: size,
      fullRead: await measurePreviousRoute(listing, catalog, size),
      ...(await measureSnapshotRoute(listing, meter)),
      refresh: refreshFigure,
    });
  }
  meter.client.destroy();
  return figures;
}

type ApiHandler = ReturnType<typeof buildApiHandler>;

/** The price listing through the API handler, on the metered client. */
interface MeteredListing {
  /** A new handler: its head cache is empty, as in a container's first request. */
  newApi(): ApiHandler;
  /** One `GET /stripe/prices` through `api`: the body it answered. */
  list(api: ApiHandler, query?: Record<string, string>): Promise<string>;
  /** `fn` run `runs` times: the p50, and the requests and RCU per run. */
  perListing(runs: number, fn: () => Promise<unknown>): Promise<DynamoFigure>;
}

function meteredListing(stack: LocalStack, meter: CapacityMeter, logger: Logger): MeteredListing {
  return {
    newApi: () =>
      buildApiHandler(stack.functions.api, {
        dynamo: meter.client,
        secrets: stack.functions.secrets,
        logger,
      }),
    list: async (api, query = {}) => {
      const response = await api(
        apiEvent(ROUTES.listPrices, { queryStringParameters: query }),
        lambdaContext(),
      );
      if (response.statusCode !== 200) throw new Error(`listing answered ${response.statusCode}`);
      return response.body;
    },
    perListing: async (runs, fn) => {
      meter.reset();
      const times = await timed(runs, fn);
      return {
        p50: median(times),
        requestsPerListing: meter.requests / runs,
        rcuPerListing: meter.rcu / runs,
      };
    },
  };
}

/** One snapshot pass that publishes the grown catalog. */
async function measureRefresh(
  meter: CapacityMeter,
  refresh: () => Promise<unknown>,
): Promise<CatalogScaleFigure['refresh']> {
  meter.reset();
  const started = performance.now();
  await refresh();
  return {
    ms: performance.now() - started,
    requests: meter.requests,
    rcu: meter.rcu,
    wcu: meter.wcu,
  };
}

/** The previous route, per request: a scan of the prices, a batch-read of the products. */
async function measurePreviousRoute(
  listing: MeteredListing,
  catalog: DynamoCatalogRepository,
  size: number,
): Promise<CatalogScaleFigure['fullRead']> {
  let body = '';
  const figure = await listing.perListing(size >= 10_000 ? FULL_READ_RUNS : RUNS, async () => {
    const prices = await catalog.listActivePrices();
    const products = await catalog.getProducts(prices.map((p) => p.productId));
    body = JSON.stringify({ prices: buildPriceListing(prices, products) });
  });
  return { ...figure, bytes: Buffer.byteLength(body) };
}

/** The snapshot route: a cache miss, the deployed stream, and a page from a cursor. */
async function measureSnapshotRoute(
  listing: MeteredListing,
  meter: CapacityMeter,
): Promise<Pick<CatalogScaleFigure, 'firstPage' | 'stream' | 'cursorPage'>> {
  let firstBody = '';
  // A new handler per listing: its head cache is empty, as in a container's first request.
  const firstPage = await listing.perListing(RUNS, async () => {
    firstBody = await listing.list(listing.newApi());
  });
  const warm = listing.newApi();
  await listing.list(warm);
  meter.reset();
  const streamTimes = await timed(STREAM, () => listing.list(warm));
  const stream = { p50: median(streamTimes), requestsPerListing: meter.requests / STREAM };

  const middle = JSON.parse(await listing.list(listing.newApi(), { limit: '50' })) as {
    nextCursor?: string;
  };
  const cursor = middle.nextCursor;
  const cursorPage = cursor
    ? await listing.perListing(RUNS, () => listing.list(listing.newApi(), { cursor }))
    : { p50: Number.NaN, requestsPerListing: Number.NaN, rcuPerListing: Number.NaN };
  return {
    firstPage: { ...firstPage, bytes: Buffer.byteLength(firstBody) },
    stream,
    cursorPage,
  };
}

/** Products the grown catalog's prices belong to (the sample's stay as they are). */
async function writeProducts(documents: DynamoDBDocumentClient, table: string): Promise<void> {
  const items = Array.from({ length: PRODUCTS }, (_, i) => ({
    productId: `bench-product-${String(i).padStart(3, '0')}`,
    name: `Bench product ${String(i).padStart(3, '0')}`,
    description: 'A product of the catalog-scale benchmark',
    active: true,
  }));
  await writeAll(documents, table, items);
}

/** Prices `from` .. `to - 1`, spread over the products, a third of them recurring. */
async function writePrices(
  documents: DynamoDBDocumentClient,
  table: string,
  from: number,
  to: number,
): Promise<void> {
  const items = Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    return {
      priceId: `bench-price-${String(i).padStart(5, '0')}`,
      productId: `bench-product-${String(i % PRODUCTS).padStart(3, '0')}`,
      unitAmount: 100 + i,
      currency: 'usd',
      active: true,
      ...(i % 3 === 0
        ? { type: 'recurring', interval: 'month', intervalCount: 1 }
        : { type: 'one_time' }),
    };
  });
  await writeAll(documents, table, items);
}

async function writeAll(
  documents: DynamoDBDocumentClient,
  table: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  // A few batches at a time: DynamoDB Local is on the same two cores.
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map(async (batch) => {
        let requests = batch.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const result = await documents.send(
            new BatchWriteCommand({ RequestItems: { [table]: requests } }),
          );
          requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }),
    );
  }
}
