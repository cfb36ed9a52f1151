import * as fs from 'node:fs';
import * as path from 'node:path';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseCatalogPrice, parseCatalogProduct } from '../lambda/domain/catalog';

export const SAMPLE_CATALOG_FILE = path.join(__dirname, 'seed', 'catalog.json');

export interface CatalogSeed {
  readonly products: Record<string, unknown>[];
  readonly prices: Record<string, unknown>[];
}

/** Reads a catalog seed file, checking every record against the catalog's own rules. */
export function readCatalogSeed(file: string = SAMPLE_CATALOG_FILE): CatalogSeed {
  const seed = JSON.parse(fs.readFileSync(file, 'utf8')) as CatalogSeed;
  for (const product of seed.products) {
    const parsed = parseCatalogProduct(product);
    if (!parsed.ok) throw new Error(`${file}: ${parsed.problem}`);
  }
  for (const price of seed.prices) {
    const parsed = parseCatalogPrice(price);
    if (!parsed.ok) throw new Error(`${file}: ${parsed.problem}`);
  }
  return seed;
}

/** Writes the seed into the products and prices tables (as the catalog services would). */
export async function seedCatalog(
  db: DynamoDBDocumentClient,
  tables: { productsTable: string; pricesTable: string },
  seed: CatalogSeed,
): Promise<void> {
  const writes = [
    ...seed.products.map((item) => [tables.productsTable, item] as const),
    ...seed.prices.map((item) => [tables.pricesTable, item] as const),
  ];
  for (let i = 0; i < writes.length; i += 25) {
    const requestItems: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {};
    for (const [table, item] of writes.slice(i, i + 25)) {
      (requestItems[table] ??= []).push({ PutRequest: { Item: item } });
    }
    let pending: typeof requestItems | undefined = requestItems;
    while (pending && Object.keys(pending).length > 0) {
      const result = await db.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = result.UnprocessedItems as typeof requestItems | undefined;
    }
  }
}
