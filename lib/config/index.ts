/**
 * The stack's configuration, one import for its users: the typed settings and their
 * defaults (`settings.ts`), reading them from `cdk.json` context (`load.ts`, with
 * `external-settings.ts` and the checks in `validators.ts`) and the names they give
 * resources (`naming.ts`).
 */
export {
  type ContextSource,
  DEFAULT_COMBINED_SECRET_FIELDS,
  DEFAULT_PROJECT_NAME,
  DEFAULT_USER_RATE_LIMIT,
  ENVIRONMENT_NAMES,
  type EnvironmentName,
  type EnvironmentSettings,
  removalPolicyOf,
  type ServiceConfig,
  type ThrottleSettings,
} from './settings';
export { loadServiceConfig } from './load';
export { metricsNamespace, resourceName, stackName } from './naming';
