import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Logger } from '../core/logger';
import {
  type CatalogPrice,
  type CatalogProduct,
  parseCatalogPrice,
  parseCatalogProduct,
} from '../domain/catalog';
import type { CatalogRepository } from '../domain/catalog-repository';
import { PRICES_TABLE, PRODUCTS_TABLE } from '../shared/tables';
import { conditionalWrite } from './conditional-write';

export interface CatalogTableNames {
  readonly productsTable: string;
  readonly pricesTable: string;
}

/** DynamoDB allows at most 100 keys in one BatchGetItem. */
const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_RETRIES = 5;
const PRODUCT_KEY = PRODUCTS_TABLE.partitionKey.name;
const PRICE_KEY = PRICES_TABLE.partitionKey.name;

export class DynamoCatalogRepository implements CatalogRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: CatalogTableNames,
    private readonly logger: Logger,
  ) {}

  async listActivePrices(): Promise<CatalogPrice[]> {
    const prices: CatalogPrice[] = [];
    // The catalog is small (tens of prices) and owned by another service that gives us
    // no index on `active`, so a filtered scan is the honest read.
    const pages = paginateScan(
      { client: this.db },
      {
        TableName: this.tables.pricesTable,
        FilterExpression: '#active = :true',
        ExpressionAttributeNames: { '#active': 'active' },
        ExpressionAttributeValues: { ':true': true },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const parsed = parseCatalogPrice(item);
        if (parsed.ok) prices.push(parsed.value);
        else this.logger.warn('Skipping malformed price record', { problem: parsed.problem });
      }
    }
    return prices;
  }

  async getProducts(productIds: readonly string[]): Promise<Map<string, CatalogProduct>> {
    const products = new Map<string, CatalogProduct>();
    const unique = [...new Set(productIds)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT)
      chunks.push(unique.slice(i, i + BATCH_GET_LIMIT));

    await Promise.all(
      chunks.map(async (chunk) => {
        let keys: Record<string, unknown>[] = chunk.map((id) => ({ [PRODUCT_KEY]: id }));
        for (let attempt = 0; keys.length > 0; attempt++) {
          if (attempt > MAX_UNPROCESSED_RETRIES) {
            throw new Error(`DynamoDB left ${keys.length} product reads unprocessed.`);
          }
          if (attempt > 0) await sleep(25 * 2 ** attempt);
          const result = await this.db.send(
            new BatchGetCommand({
              RequestItems: { [this.tables.productsTable]: { Keys: keys, ConsistentRead: false } },
            }),
          );
          for (const item of result.Responses?.[this.tables.productsTable] ?? []) {
            const parsed = parseCatalogProduct(item);
            if (parsed.ok) products.set(parsed.value.productId, parsed.value);
            else this.logger.warn('Skipping malformed product record', { problem: parsed.problem });
          }
          keys = result.UnprocessedKeys?.[this.tables.productsTable]?.Keys ?? [];
        }
      }),
    );
    return products;
  }

  async getPrice(priceId: string): Promise<CatalogPrice | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tables.pricesTable, Key: { [PRICE_KEY]: priceId } }),
    );
    if (!Item) return undefined;
    const parsed = parseCatalogPrice(Item);
    if (parsed.ok) return parsed.value;
    this.logger.warn('Malformed price record', { problem: parsed.problem });
    return undefined;
  }

  async getProduct(productId: string): Promise<CatalogProduct | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tables.productsTable,
        Key: { [PRODUCT_KEY]: productId },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const parsed = parseCatalogProduct(Item);
    if (parsed.ok) return parsed.value;
    this.logger.warn('Malformed product record', { problem: parsed.problem });
    return undefined;
  }

  async recordStripeProductId(productId: string, stripeProductId: string): Promise<string> {
    const written = await conditionalWrite(
      this.db.send(
        new UpdateCommand({
          TableName: this.tables.productsTable,
          Key: { [PRODUCT_KEY]: productId },
          UpdateExpression: 'SET #stripeId = :id',
          // attribute_exists: an update must never create a record in another service's table.
          ConditionExpression:
            'attribute_exists(#key) AND (attribute_not_exists(#stripeId) OR #stripeId = :id)',
          ExpressionAttributeNames: {
            '#key': PRODUCT_KEY,
            '#stripeId': PRODUCTS_TABLE.stripeIdAttribute,
          },
          ExpressionAttributeValues: { ':id': stripeProductId },
        }),
      ),
    );
    if (written) return stripeProductId;
    const current = await this.getProduct(productId);
    if (current?.stripeProductId === undefined) {
      throw new Error(`Product ${productId} vanished while its Stripe id was written.`);
    }
    return current.stripeProductId;
  }

  async recordStripePriceId(
    priceId: string,
    stripePriceId: string,
    expected: string | undefined,
  ): Promise<boolean> {
    const previous =
      expected === undefined ? 'attribute_not_exists(#stripeId)' : '#stripeId = :expected';
    return conditionalWrite(
      this.db.send(
        new UpdateCommand({
          TableName: this.tables.pricesTable,
          Key: { [PRICE_KEY]: priceId },
          UpdateExpression: 'SET #stripeId = :id',
          ConditionExpression: `attribute_exists(#key) AND (${previous} OR #stripeId = :id)`,
          ExpressionAttributeNames: {
            '#key': PRICE_KEY,
            '#stripeId': PRICES_TABLE.stripeIdAttribute,
          },
          ExpressionAttributeValues: {
            ':id': stripePriceId,
            ...(expected === undefined ? {} : { ':expected': expected }),
          },
        }),
      ),
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
