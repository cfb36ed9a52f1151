import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One Powertools logger per function. Every line carries the Lambda request id and, once
 * known, the API request id and the user id (set by the HTTP shell). Nothing here ever
 * logs headers or bodies: they hold tokens, signatures and customer data.
 */
export function createLogger(serviceName = 'stripe-service'): Logger {
  return new Logger({ serviceName });
}

export type { Logger };
