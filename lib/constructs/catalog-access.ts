import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PRICES_TABLE, PRODUCTS_TABLE } from '../../lambda/shared/tables';
import type { ServiceFunction } from './service-function';

/**
 * What the functions do to the catalog tables, which belong to the product and pricing
 * services: exactly the calls of `lambda/adapters/dynamo-catalog-repository.ts`
 * (`test/unit/lib/constructs/catalog-access.test.ts` runs the adapter and checks it
 * against this).
 *
 * - api: GetItem on both (checkout reads the live price and its product), and UpdateItem
 *   writing back the Stripe id only. The contract lets this service write nothing else
 *   there, so the write is limited by IAM, not only by our code;
 * - catalogSnapshot: the listing's reads, once per pass instead of once per request: Scan
 *   on prices (the pricing service gives no index) and BatchGetItem on the products named.
 */
export const CATALOG_ACCESS = {
  products: {
    definition: PRODUCTS_TABLE,
    reads: { api: ['dynamodb:GetItem'], catalogSnapshot: ['dynamodb:BatchGetItem'] },
    stripeIdAttribute: PRODUCTS_TABLE.stripeIdAttribute,
  },
  prices: {
    definition: PRICES_TABLE,
    reads: { api: ['dynamodb:GetItem'], catalogSnapshot: ['dynamodb:Scan'] },
    stripeIdAttribute: PRICES_TABLE.stripeIdAttribute,
  },
} as const;

export type CatalogTable = keyof typeof CATALOG_ACCESS;
/** The functions that read the catalog. */
export type CatalogReader = keyof (typeof CATALOG_ACCESS)[CatalogTable]['reads'];

/**
 * The conditions on the catalog write-back. `dynamodb:Attributes` is every top-level
 * attribute the request names (the key, the update expression and the condition
 * expression alike), so it is the key plus the Stripe id: the adapter's conditions use
 * nothing else. `ForAllValues` alone would also allow a request naming no attribute, but
 * an UpdateItem always names its key. `dynamodb:ReturnValues` is always present on
 * UpdateItem (`NONE` when not sent, as the adapter does): `NONE` keeps the write from
 * reading back attributes it may not write.
 */
export const catalogWriteBackConditions = (table: CatalogTable): Record<string, unknown> => {
  const { definition, stripeIdAttribute } = CATALOG_ACCESS[table];
  return {
    'ForAllValues:StringEquals': {
      'dynamodb:Attributes': [definition.partitionKey.name, stripeIdAttribute],
    },
    StringEquals: { 'dynamodb:ReturnValues': 'NONE' },
  };
};

/**
 * Grants `fn` what `reader` does to each catalog table (`CATALOG_ACCESS`), and, when
 * `writesBack`, the conditional write-back of the Stripe id, table by table.
 */
export function grantCatalogAccess(
  fn: ServiceFunction,
  reader: CatalogReader,
  tables: Readonly<Record<CatalogTable, ITable>>,
  { writesBack }: { readonly writesBack: boolean },
): void {
  for (const table of Object.keys(CATALOG_ACCESS) as CatalogTable[]) {
    const { tableArn } = tables[table];
    fn.grant([...CATALOG_ACCESS[table].reads[reader]], [tableArn]);
    if (writesBack) {
      fn.grant(['dynamodb:UpdateItem'], [tableArn], catalogWriteBackConditions(table));
    }
  }
}
