import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { serviceResourceName } from '../lambda/shared/naming';

/**
 * The stack's configuration: one typed object per environment, read from `cdk.json`
 * context (`environments.<env>`), validated before any construct is built.
 */

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export const DEFAULT_PROJECT_NAME = 'eislett-education';

/** Names of resources other teams own; each defaults to `<project>-<env>-<suffix>`. */
export interface ExternalResourceOverrides {
  readonly productsTableName?: string;
  readonly pricesTableName?: string;
  /** The full ARN of the billing events topic; wins over `billingEventsTopicName`. */
  readonly billingEventsTopicArn?: string;
  /** The topic's name in this account and region (end it in `.fifo` for a FIFO topic). */
  readonly billingEventsTopicName?: string;
  readonly stripeSecretKeySecretName?: string;
  readonly stripeWebhookSecretName?: string;
  readonly jwtAccessTokenSecretName?: string;
}

export interface EnvironmentSettings {
  /** Origins (`scheme://host[:port]`) that checkout and portal redirects may point at. */
  readonly allowedRedirectOrigins: readonly string[];
  readonly logRetentionDays: RetentionDays;
  readonly lambdaMemoryMb: number;
  readonly lambdaTimeoutSeconds: number;
  /** `retain` keeps tables and logs when the stack is deleted. */
  readonly removalPolicy: 'retain' | 'destroy';
  readonly pointInTimeRecovery: boolean;
  readonly deletionProtection: boolean;
  readonly apiThrottling: { readonly rateLimit: number; readonly burstLimit: number };
  readonly secretsCacheMaxAgeSeconds: number;
  readonly external: ExternalResourceOverrides;
}

export interface ServiceConfig {
  readonly projectName: string;
  readonly environmentName: EnvironmentName;
  readonly settings: EnvironmentSettings;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads `key` from CDK context; `tryGetContext` is the only thing needed of the app. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

export const resourceName = (config: ServiceConfig, suffix: string): string =>
  serviceResourceName(config.projectName, config.environmentName, suffix);

export const stackName = (config: ServiceConfig): string => resourceName(config, 'stripe-service');

export function loadServiceConfig(
  context: ContextSource,
  processEnv: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const environmentName = context.tryGetContext('env');
  if (!isEnvironmentName(environmentName)) {
    const given =
      environmentName === undefined ? 'no env was given' : `got ${JSON.stringify(environmentName)}`;
    throw new ConfigError(
      `Set the target environment with --context env=<name>; valid environments: ${ENVIRONMENT_NAMES.join(', ')} (${given}).`,
    );
  }

  const projectName = readProjectName(
    context.tryGetContext('projectName') ?? processEnv.PROJECT_NAME,
  );
  const environments = context.tryGetContext('environments');
  if (!isRecord(environments) || !isRecord(environments[environmentName])) {
    throw new ConfigError(`cdk.json context has no "environments.${environmentName}" settings.`);
  }
  const settings = parseSettings(environments[environmentName], `environments.${environmentName}`);
  return { projectName, environmentName, settings };
}

function isEnvironmentName(value: unknown): value is EnvironmentName {
  return typeof value === 'string' && (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}

function readProjectName(value: unknown): string {
  if (value === undefined || value === '') return DEFAULT_PROJECT_NAME;
  // Resource names (tables, secrets, the stack) are built from it, so keep it name-safe.
  if (typeof value !== 'string' || !/^[a-z][a-z0-9-]{0,39}$/.test(value)) {
    throw new ConfigError(
      `projectName must be lower-case letters, digits and dashes, starting with a letter (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

const RETENTION_PERIODS: readonly RetentionDays[] = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === 'number',
);

function parseSettings(raw: Record<string, unknown>, at: string): EnvironmentSettings {
  const origins = raw.allowedRedirectOrigins;
  if (!Array.isArray(origins) || origins.length === 0) {
    throw new ConfigError(`${at}.allowedRedirectOrigins must be a non-empty list of origins.`);
  }
  const allowedRedirectOrigins = origins.map((origin, i) =>
    parseOrigin(origin, `${at}.allowedRedirectOrigins[${i}]`),
  );

  const retentionDays = positiveInteger(raw.logRetentionDays, `${at}.logRetentionDays`);
  const logRetentionDays = RETENTION_PERIODS.find((period) => period.valueOf() === retentionDays);
  if (logRetentionDays === undefined) {
    throw new ConfigError(`${at}.logRetentionDays must be one of CloudWatch's retention periods.`);
  }
  const removalPolicy = raw.removalPolicy;
  if (removalPolicy !== 'retain' && removalPolicy !== 'destroy') {
    throw new ConfigError(`${at}.removalPolicy must be "retain" or "destroy".`);
  }
  const throttling = raw.apiThrottling;
  if (!isRecord(throttling)) throw new ConfigError(`${at}.apiThrottling must be an object.`);
  const external = raw.external ?? {};
  if (!isRecord(external)) throw new ConfigError(`${at}.external must be an object.`);

  return {
    allowedRedirectOrigins,
    logRetentionDays,
    lambdaMemoryMb: positiveInteger(raw.lambdaMemoryMb, `${at}.lambdaMemoryMb`),
    lambdaTimeoutSeconds: positiveInteger(raw.lambdaTimeoutSeconds, `${at}.lambdaTimeoutSeconds`),
    removalPolicy,
    pointInTimeRecovery: boolean(raw.pointInTimeRecovery, `${at}.pointInTimeRecovery`),
    deletionProtection: boolean(raw.deletionProtection, `${at}.deletionProtection`),
    apiThrottling: {
      rateLimit: positiveInteger(throttling.rateLimit, `${at}.apiThrottling.rateLimit`),
      burstLimit: positiveInteger(throttling.burstLimit, `${at}.apiThrottling.burstLimit`),
    },
    secretsCacheMaxAgeSeconds: positiveInteger(
      raw.secretsCacheMaxAgeSeconds,
      `${at}.secretsCacheMaxAgeSeconds`,
    ),
    external: parseExternal(external, `${at}.external`),
  };
}

const EXTERNAL_KEYS = [
  'productsTableName',
  'pricesTableName',
  'billingEventsTopicArn',
  'billingEventsTopicName',
  'stripeSecretKeySecretName',
  'stripeWebhookSecretName',
  'jwtAccessTokenSecretName',
] as const satisfies readonly (keyof ExternalResourceOverrides)[];

function parseExternal(raw: Record<string, unknown>, at: string): ExternalResourceOverrides {
  const result: Partial<Record<keyof ExternalResourceOverrides, string>> = {};
  for (const key of Object.keys(raw)) {
    if (!(EXTERNAL_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(
        `${at}.${key} is not a known override; known: ${EXTERNAL_KEYS.join(', ')}.`,
      );
    }
    const value = raw[key];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ConfigError(`${at}.${key} must be a non-empty string.`);
    }
    result[key as keyof ExternalResourceOverrides] = value;
  }
  if (
    result.billingEventsTopicArn !== undefined &&
    !result.billingEventsTopicArn.startsWith('arn:')
  ) {
    throw new ConfigError(`${at}.billingEventsTopicArn must be an SNS topic ARN.`);
  }
  return result;
}

function parseOrigin(value: unknown, at: string): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new ConfigError(`${at} is not a URL origin: ${JSON.stringify(value)}.`);
  }
  if (url.origin !== value) {
    throw new ConfigError(
      `${at} must be a bare origin like "https://app.example.com" (got ${JSON.stringify(value)}).`,
    );
  }
  const isLocalHost = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalHost)) {
    throw new ConfigError(`${at} must use https (http is allowed for localhost only): ${value}.`);
  }
  return url.origin;
}

function positiveInteger(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${at} must be a positive integer.`);
  }
  return value;
}

function boolean(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(`${at} must be true or false.`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
