import { awsDynamoClient, awsSecretsManagerClient, awsSnsClient } from '../core/aws-clients';
import { webhookFunction } from './composition-root';

/**
 * Stripe's webhook deliveries, behind the HTTP API. Built at cold start from the environment
 * the stack sets (`webhookFunction`, the same path the settings' tests take).
 */
export const handler = webhookFunction(process.env, {
  dynamo: awsDynamoClient(),
  sns: awsSnsClient(),
  secretsManager: awsSecretsManagerClient(),
});
