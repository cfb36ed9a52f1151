import { serviceResourceName } from '../../lambda/shared/naming';
import type { ServiceConfig } from './settings';

/** A resource of this deployment: `<project>-<env>-<suffix>`. */
export const resourceName = (config: ServiceConfig, suffix: string): string =>
  serviceResourceName(config.projectName, config.environmentName, suffix);

export const stackName = (config: ServiceConfig): string => resourceName(config, 'stripe-service');

/** The functions' CloudWatch metrics namespace: one per stack, named as the stack. */
export const metricsNamespace = (config: ServiceConfig): string => stackName(config);
