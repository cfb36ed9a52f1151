import { awsDynamoClient, awsSecretsManagerClient, awsSnsClient } from '../core/aws-clients';
import { reconcileFunction } from './composition-root';

/**
 * The scheduled reconciliation (every `reconcileIntervalMinutes`): reads only the Stripe key.
 * Built at cold start from the environment the stack sets (`reconcileFunction`, the same path
 * the settings' tests take).
 */
export const handler = reconcileFunction(process.env, {
  dynamo: awsDynamoClient(),
  sns: awsSnsClient(),
  secretsManager: awsSecretsManagerClient(),
});
