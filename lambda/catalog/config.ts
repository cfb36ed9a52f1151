import { type Environment, type EnvironmentReader, readEnvironment } from '../core/config';
import { ENV } from '../shared/function-environment';

/** The price listing's tables: the catalog it is built from, and its snapshot. */
export interface CatalogTables {
  readonly productsTable: string;
  readonly pricesTable: string;
  readonly catalogSnapshotTable: string;
}

/** Where the catalog tables are: the snapshot function rebuilds from them, the API reads them. */
export const readCatalogTables = (read: EnvironmentReader): CatalogTables => ({
  productsTable: read.required(ENV.productsTable),
  pricesTable: read.required(ENV.pricesTable),
  catalogSnapshotTable: read.required(ENV.catalogSnapshotTable),
});

/** The snapshot function's settings: the catalog tables it reads, the table it writes. */
export type CatalogSnapshotConfig = CatalogTables;

export const loadCatalogSnapshotConfig = (env: Environment): CatalogSnapshotConfig =>
  readEnvironment(env, readCatalogTables);
