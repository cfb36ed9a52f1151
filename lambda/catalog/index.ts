import { awsDynamoClient } from '../core/aws-clients';
import { catalogSnapshotFunction } from './composition-root';

/**
 * Scheduled every minute: rebuilds the price listing's snapshot when the catalog changed. Built
 * at cold start from the environment the stack sets (`catalogSnapshotFunction`, the same path
 * the settings' tests take).
 */
export const handler = catalogSnapshotFunction(process.env, { dynamo: awsDynamoClient() });
