import { BatchGetCommand, type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '../core/logger';
import {
  type CatalogPrice,
  type CatalogProduct,
  parseCatalogPrice,
  parseCatalogProduct,
} from '../domain/catalog';
import type { CatalogRepository } from '../domain/catalog-repository';
import { PRODUCTS_TABLE } from '../shared/tables';

export interface CatalogTableNames {
  readonly productsTable: string;
  readonly pricesTable: string;
}

/** DynamoDB allows at most 100 keys in one BatchGetItem. */
const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_RETRIES = 5;

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
    const key = PRODUCTS_TABLE.partitionKey.name;
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT)
      chunks.push(unique.slice(i, i + BATCH_GET_LIMIT));

    await Promise.all(
      chunks.map(async (chunk) => {
        let keys: Record<string, unknown>[] = chunk.map((id) => ({ [key]: id }));
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
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
