import { type Environment, EnvironmentReader } from '../core/config';
import { ENV } from '../shared/function-environment';

/** The snapshot function's settings: the catalog tables it reads, the table it writes. */
export interface CatalogSnapshotConfig {
  readonly productsTable: string;
  readonly pricesTable: string;
  readonly catalogSnapshotTable: string;
}

export function loadCatalogSnapshotConfig(env: Environment): CatalogSnapshotConfig {
  const read = new EnvironmentReader(env);
  return read.done({
    productsTable: read.required(ENV.productsTable),
    pricesTable: read.required(ENV.pricesTable),
    catalogSnapshotTable: read.required(ENV.catalogSnapshotTable),
  });
}
