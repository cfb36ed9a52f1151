import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { removalPolicyOf, type ServiceConfig } from '../config';

/**
 * A log group of the service (a function's, the API's access log): kept for the
 * environment's `logRetentionDays`, and deleted with the stack or kept as its data is.
 */
export const serviceLogGroup = (
  scope: Construct,
  id: string,
  config: ServiceConfig,
  logGroupName: string,
): LogGroup =>
  new LogGroup(scope, id, {
    logGroupName,
    retention: config.settings.logRetentionDays,
    removalPolicy: removalPolicyOf(config),
  });
