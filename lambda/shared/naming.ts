/** Every resource of the service is named `<project>-<env>-<suffix>`. */
export const serviceResourceName = (
  projectName: string,
  environmentName: string,
  suffix: string,
): string => `${projectName}-${environmentName}-${suffix}`;

export const BILLING_EVENTS_TOPIC_SUFFIX = 'billing-events';
