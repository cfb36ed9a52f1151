import { awsDynamoClient, awsSecretsManagerClient } from '../core/aws-clients';
import { apiFunction } from './composition-root';

/**
 * Checkout, the customer portal and the price listing behind the HTTP API. Built at cold start
 * from the environment the stack sets (`apiFunction`, the same path the settings' tests take).
 */
export const handler = apiFunction(process.env, {
  dynamo: awsDynamoClient(),
  secretsManager: awsSecretsManagerClient(),
});
