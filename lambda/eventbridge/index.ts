import { awsDynamoClient, awsSecretsManagerClient, awsSnsClient } from '../core/aws-clients';
import { eventBridgeFunction } from './composition-root';

/**
 * Stripe's events from the partner event bus (context `eventBridgeSource`), invoked by its
 * rule. Built at cold start from the environment the stack sets (`eventBridgeFunction`, the
 * same path the settings' tests take).
 */
export const handler = eventBridgeFunction(process.env, {
  dynamo: awsDynamoClient(),
  sns: awsSnsClient(),
  secretsManager: awsSecretsManagerClient(),
});
