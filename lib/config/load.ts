import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConfigurationError } from '../lambda/core/config';
import { isLocalHost } from '../lambda/domain/redirect-policy';
import { isRecord } from '../lambda/shared/json';
import {
  DEFAULT_RECONCILE_INTERVAL_MINUTES,
  MAX_RECONCILE_INTERVAL_MINUTES,
} from '../lambda/shared/reconciliation-schedule';
import { serviceResourceName } from '../lambda/shared/naming';
import { ROUTES, type RouteName } from '../lambda/shared/routes';
import {
  isStripePartnerSourceName,
  STRIPE_PARTNER_SOURCE_PREFIX,
} from '../lambda/stripe-events/event-bridge-pattern';
import { SECRETS, type SecretId } from '../lambda/shared/secrets';

/**
 * The stack's configuration: one typed object per environment, read from `cdk.json`
 * context (`environments.<env>`), validated before any construct is built. A few
 * settings (`combinedSecretName`, `combinedSecretFields`, `jwtIssuer`, `jwtAudience`,
 * `alarmTopicArn`, `alarmEmail`, the alarm thresholds, the `reconcile*` settings and
 * `eventBridgeSource`) may
 * also be given as top-level context (`--context key=value`), which wins over the environment's value:
 * they are what an operator sets per deployment.
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

/** API Gateway's token bucket: steady requests per second and the bucket size. */
export interface ThrottleSettings {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * One JSON secret holding all three values in fields (contract section 3), instead of
 * one secret each.
 */
export interface CombinedSecretSettings {
  readonly secretName: string;
  /** The field of the combined secret that holds each value. */
  readonly fields: Readonly<Record<SecretId, string>>;
}

/** The combined secret's field names unless `combinedSecretFields` overrides them. */
export const DEFAULT_COMBINED_SECRET_FIELDS: Readonly<Record<SecretId, string>> = {
  stripeSecretKey: 'stripe_secret_key',
  stripeWebhookSecret: 'stripe_webhook_secret',
  jwtAccessTokenSecret: 'jwt_access_token_secret',
};

/** The alarms' notification target and thresholds (contract section 8). */
export interface AlarmSettings {
  /** Set: alarms notify this existing SNS topic instead of one the stack creates. */
  readonly topicArn?: string;
  /** Set: this address is subscribed (by email) to the alarm topic. */
  readonly email?: string;
  /** Signature rejections within 5 minutes at which the alarm fires. */
  readonly signatureRejectionThreshold: number;
  /** The share of API requests answered 5xx, in percent over 5 minutes, that alarms. */
  readonly apiServerErrorRatePercent: number;
}

/** The scheduled reconciliation function (contract section 8). */
export interface ReconciliationSettings {
  /** Minutes between runs; the "has not run" alarm waits two of them. */
  readonly intervalMinutes: number;
  readonly timeoutSeconds: number;
  /**
   * 1 reserves one concurrent execution, so runs never overlap; `false` reserves none,
   * for accounts whose limit leaves nothing to reserve (see `webhookReservedConcurrency`).
   */
  readonly reservedConcurrency: 1 | false;
}

/** Walking a quarter hour of Stripe's events takes seconds; 5 minutes leaves room for a backlog. */
export const DEFAULT_RECONCILE_TIMEOUT_SECONDS = 300;
export const DEFAULT_SIGNATURE_REJECTION_THRESHOLD = 10;
export const DEFAULT_API_SERVER_ERROR_RATE_PERCENT = 5;
/** Lambda's own limit. */
export const MAX_FUNCTION_TIMEOUT_SECONDS = 900;

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
  /** The stage default: the throttle of every route without one of its own. */
  readonly apiThrottling: ThrottleSettings;
  /**
   * Routes with a throttle of their own, by route name (`lambda/shared/routes.ts`): the
   * public routes get smaller budgets than the stage default, so a flood on them cannot
   * take the capacity checkout needs.
   */
  readonly routeThrottling: Readonly<Partial<Record<RouteName, ThrottleSettings>>>;
  /**
   * Reserved concurrency of the webhook function: both a floor (the API cannot starve it)
   * and a ceiling (a delivery storm cannot starve the API). `false` reserves none, for
   * accounts whose limit leaves nothing to reserve: Lambda keeps 100 units unreserved, and
   * new accounts may start with a limit of 10.
   */
  readonly webhookReservedConcurrency: number | false;
  readonly secretsCacheMaxAgeSeconds: number;
  readonly external: ExternalResourceOverrides;
  /** Set: the functions read their secrets from the fields of this one secret. */
  readonly combinedSecret?: CombinedSecretSettings;
  /** Set: access tokens must carry this `iss`. */
  readonly jwtIssuer?: string;
  /** Set: access tokens must carry this `aud`. */
  readonly jwtAudience?: string;
  readonly alarms: AlarmSettings;
  readonly reconciliation: ReconciliationSettings;
  /**
   * Set: Stripe's events also come in from the partner event bus of this partner event
   * source (`aws.partner/stripe.com/...`, a Stripe event destination's), through the
   * webhook's pipeline (contract section 4). Unset: nothing of it is created.
   */
  readonly eventBridgeSource?: string;
}

export interface ServiceConfig {
  readonly projectName: string;
  readonly environmentName: EnvironmentName;
  readonly settings: EnvironmentSettings;
}

/** Reads `key` from CDK context; `tryGetContext` is the only thing needed of the app. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

export const resourceName = (config: ServiceConfig, suffix: string): string =>
  serviceResourceName(config.projectName, config.environmentName, suffix);

export const stackName = (config: ServiceConfig): string => resourceName(config, 'stripe-service');

/** The functions' CloudWatch metrics namespace: one per stack, named as the stack. */
export const metricsNamespace = (config: ServiceConfig): string => stackName(config);

/** What deleting the stack does to its data (tables, logs, the API's logs, the alarm topic). */
export const removalPolicyOf = (config: ServiceConfig): RemovalPolicy =>
  config.settings.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

export function loadServiceConfig(
  context: ContextSource,
  processEnv: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const environmentName = context.tryGetContext('env');
  if (!isEnvironmentName(environmentName)) {
    const given =
      environmentName === undefined ? 'no env was given' : `got ${JSON.stringify(environmentName)}`;
    throw new ConfigurationError(
      `Set the target environment with --context env=<name>; valid environments: ${ENVIRONMENT_NAMES.join(', ')} (${given}).`,
    );
  }

  const projectName = readProjectName(
    context.tryGetContext('projectName') ?? processEnv.PROJECT_NAME,
  );
  const environments = context.tryGetContext('environments');
  if (!isRecord(environments) || !isRecord(environments[environmentName])) {
    throw new ConfigurationError(
      `cdk.json context has no "environments.${environmentName}" settings.`,
    );
  }
  const settings = parseSettings(
    environments[environmentName],
    `environments.${environmentName}`,
    context,
  );
  return { projectName, environmentName, settings };
}

function isEnvironmentName(value: unknown): value is EnvironmentName {
  return typeof value === 'string' && (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}

function readProjectName(value: unknown): string {
  if (value === undefined || value === '') return DEFAULT_PROJECT_NAME;
  // Resource names (tables, secrets, the stack) are built from it, so keep it name-safe.
  if (typeof value !== 'string' || !/^[a-z][a-z0-9-]{0,39}$/.test(value)) {
    throw new ConfigurationError(
      `projectName must be lower-case letters, digits and dashes, starting with a letter (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

const RETENTION_PERIODS: readonly RetentionDays[] = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === 'number',
);

function parseSettings(
  raw: Record<string, unknown>,
  at: string,
  context: ContextSource,
): EnvironmentSettings {
  const origins = raw.allowedRedirectOrigins;
  if (!Array.isArray(origins) || origins.length === 0) {
    throw new ConfigurationError(
      `${at}.allowedRedirectOrigins must be a non-empty list of origins.`,
    );
  }
  const allowedRedirectOrigins = origins.map((origin, i) =>
    parseOrigin(origin, `${at}.allowedRedirectOrigins[${i}]`),
  );

  const retentionDays = positiveInteger(raw.logRetentionDays, `${at}.logRetentionDays`);
  const logRetentionDays = RETENTION_PERIODS.find((period) => period.valueOf() === retentionDays);
  if (logRetentionDays === undefined) {
    throw new ConfigurationError(
      `${at}.logRetentionDays must be one of CloudWatch's retention periods.`,
    );
  }
  const removalPolicy = raw.removalPolicy;
  if (removalPolicy !== 'retain' && removalPolicy !== 'destroy') {
    throw new ConfigurationError(`${at}.removalPolicy must be "retain" or "destroy".`);
  }
  const external = raw.external ?? {};
  if (!isRecord(external)) throw new ConfigurationError(`${at}.external must be an object.`);
  const externalOverrides = parseExternal(external, `${at}.external`);
  const setting = (key: string) => deploymentSetting(context, raw, at, key);
  const combinedSecret = parseCombinedSecret(
    setting('combinedSecretName'),
    setting('combinedSecretFields'),
  );
  if (combinedSecret !== undefined) {
    // The combined secret replaces the three; a name for one of them would be ignored.
    const conflicting = SEPARATE_SECRET_OVERRIDES.filter((key) => key in externalOverrides);
    if (conflicting.length > 0) {
      throw new ConfigurationError(
        `combinedSecretName replaces the three secrets, so ${conflicting.map((key) => `${at}.external.${key}`).join(', ')} would be ignored: remove one or the other.`,
      );
    }
  }

  return {
    allowedRedirectOrigins,
    logRetentionDays,
    lambdaMemoryMb: positiveInteger(raw.lambdaMemoryMb, `${at}.lambdaMemoryMb`),
    lambdaTimeoutSeconds: positiveInteger(raw.lambdaTimeoutSeconds, `${at}.lambdaTimeoutSeconds`),
    removalPolicy,
    pointInTimeRecovery: boolean(raw.pointInTimeRecovery, `${at}.pointInTimeRecovery`),
    deletionProtection: boolean(raw.deletionProtection, `${at}.deletionProtection`),
    apiThrottling: parseThrottle(raw.apiThrottling, `${at}.apiThrottling`),
    routeThrottling: parseRouteThrottling(raw.routeThrottling ?? {}, `${at}.routeThrottling`),
    webhookReservedConcurrency: parseReservedConcurrency(
      raw.webhookReservedConcurrency ?? false,
      `${at}.webhookReservedConcurrency`,
    ),
    secretsCacheMaxAgeSeconds: positiveInteger(
      raw.secretsCacheMaxAgeSeconds,
      `${at}.secretsCacheMaxAgeSeconds`,
    ),
    external: externalOverrides,
    ...optionalEntry('combinedSecret', combinedSecret),
    ...optionalEntry('jwtIssuer', parseTokenClaim(setting('jwtIssuer'))),
    ...optionalEntry('jwtAudience', parseTokenClaim(setting('jwtAudience'))),
    alarms: {
      ...optionalEntry('topicArn', parseAlarmTopicArn(setting('alarmTopicArn'))),
      ...optionalEntry('email', parseEmail(setting('alarmEmail'))),
      signatureRejectionThreshold: integerSetting(
        setting('signatureRejectionAlarmThreshold'),
        DEFAULT_SIGNATURE_REJECTION_THRESHOLD,
        { min: 1, max: 1_000_000 },
      ),
      apiServerErrorRatePercent: numberSetting(
        setting('apiServerErrorRateAlarmPercent'),
        DEFAULT_API_SERVER_ERROR_RATE_PERCENT,
        { min: 0.1, max: 100 },
      ),
    },
    reconciliation: {
      intervalMinutes: integerSetting(
        setting('reconcileIntervalMinutes'),
        DEFAULT_RECONCILE_INTERVAL_MINUTES,
        { min: 1, max: MAX_RECONCILE_INTERVAL_MINUTES },
      ),
      timeoutSeconds: integerSetting(
        setting('reconcileTimeoutSeconds'),
        DEFAULT_RECONCILE_TIMEOUT_SECONDS,
        { min: 1, max: MAX_FUNCTION_TIMEOUT_SECONDS },
      ),
      reservedConcurrency: parseSingleRunReservation(setting('reconcileReservedConcurrency')),
    },
    ...optionalEntry('eventBridgeSource', parseEventBridgeSource(setting('eventBridgeSource'))),
  };
}

/** A Stripe event destination's partner event source name. */
function parseEventBridgeSource(given: Given | undefined): string | undefined {
  if (given === undefined) return undefined;
  const { value, at } = given;
  if (!isStripePartnerSourceName(value)) {
    throw new ConfigurationError(
      `${at} must be the partner event source of a Stripe event destination: ${STRIPE_PARTNER_SOURCE_PREFIX} and a name of letters, digits and _-/. (e.g. ${STRIPE_PARTNER_SOURCE_PREFIX}ed_61Ab...), as Stripe shows it for the destination and EventBridge lists it under Partner event sources (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

/** A setting's value and where it came from, for error messages. */
interface Given {
  readonly value: unknown;
  readonly at: string;
}

/**
 * A per-deployment setting: top-level context (the command line's `--context key=value`,
 * or cdk.json's `context`) wins over `environments.<env>.<key>`. An empty string is "not
 * set", as CI systems pass unset variables.
 */
function deploymentSetting(
  context: ContextSource,
  raw: Record<string, unknown>,
  at: string,
  key: string,
): Given | undefined {
  const topLevel = context.tryGetContext(key);
  if (topLevel !== undefined && topLevel !== '') return { value: topLevel, at: `context ${key}` };
  const perEnvironment = raw[key];
  if (perEnvironment !== undefined && perEnvironment !== '') {
    return { value: perEnvironment, at: `${at}.${key}` };
  }
  return undefined;
}

function parseThrottle(value: unknown, at: string): ThrottleSettings {
  if (!isRecord(value))
    throw new ConfigurationError(`${at} must be an object {rateLimit, burstLimit}.`);
  const unknown = Object.keys(value).filter((key) => key !== 'rateLimit' && key !== 'burstLimit');
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `${at} takes rateLimit and burstLimit only (got ${unknown.join(', ')}).`,
    );
  }
  return {
    rateLimit: positiveInteger(value.rateLimit, `${at}.rateLimit`),
    burstLimit: positiveInteger(value.burstLimit, `${at}.burstLimit`),
  };
}

const ROUTE_NAMES = Object.keys(ROUTES) as RouteName[];

function parseRouteThrottling(
  value: unknown,
  at: string,
): Partial<Record<RouteName, ThrottleSettings>> {
  if (!isRecord(value))
    throw new ConfigurationError(`${at} must be an object keyed by route name.`);
  const result: Partial<Record<RouteName, ThrottleSettings>> = {};
  for (const [name, throttle] of Object.entries(value)) {
    if (!isRouteName(name)) {
      throw new ConfigurationError(
        `${at}.${name} is not a route; routes: ${ROUTE_NAMES.join(', ')}.`,
      );
    }
    result[name] = parseThrottle(throttle, `${at}.${name}`);
  }
  return result;
}

const isRouteName = (name: string): name is RouteName =>
  (ROUTE_NAMES as readonly string[]).includes(name);

function parseReservedConcurrency(value: unknown, at: string): number | false {
  if (value === false) return false;
  // Zero would be valid for Lambda, and would stop the function entirely.
  if (value === 0) {
    throw new ConfigurationError(`${at} of 0 would stop the function: use false to reserve none.`);
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ConfigurationError(`${at} must be a positive integer, or false to reserve none.`);
  }
  return value;
}

/** The three per-secret name overrides the combined secret replaces. */
const SEPARATE_SECRET_OVERRIDES = [
  'stripeSecretKeySecretName',
  'stripeWebhookSecretName',
  'jwtAccessTokenSecretName',
] as const satisfies readonly (keyof ExternalResourceOverrides)[];

const SECRET_IDS = Object.keys(SECRETS) as SecretId[];
/** Secrets Manager's secret name alphabet; a name, not an ARN. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

function parseCombinedSecret(
  name: Given | undefined,
  fields: Given | undefined,
): CombinedSecretSettings | undefined {
  if (name === undefined) {
    if (fields !== undefined) {
      throw new ConfigurationError(`${fields.at} is set but combinedSecretName is not: set both.`);
    }
    return undefined;
  }
  if (typeof name.value !== 'string' || !SECRET_NAME.test(name.value)) {
    throw new ConfigurationError(
      `${name.at} must be a Secrets Manager secret name (letters, digits and /_+=.@-), got ${JSON.stringify(name.value)}.`,
    );
  }
  return {
    secretName: name.value,
    fields: { ...DEFAULT_COMBINED_SECRET_FIELDS, ...parseCombinedSecretFields(fields) },
  };
}

function parseCombinedSecretFields(given: Given | undefined): Partial<Record<SecretId, string>> {
  if (given === undefined) return {};
  const { at } = given;
  let value = given.value;
  // The command line gives context values as strings: `--context combinedSecretFields='{...}'`.
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw new ConfigurationError(`${at} must be a JSON object, e.g. {"stripeSecretKey": "..."}.`);
    }
  }
  if (!isRecord(value)) {
    throw new ConfigurationError(`${at} must be an object with keys ${SECRET_IDS.join(', ')}.`);
  }
  const result: Partial<Record<SecretId, string>> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!(SECRET_IDS as readonly string[]).includes(key)) {
      throw new ConfigurationError(
        `${at}.${key} is not a known secret; known: ${SECRET_IDS.join(', ')}.`,
      );
    }
    // The function trims what it reads, so a padded field name could never match.
    if (typeof field !== 'string' || field.trim() === '' || field.trim() !== field) {
      throw new ConfigurationError(`${at}.${key} must be a non-empty field name without padding.`);
    }
    result[key as SecretId] = field;
  }
  const chosen = { ...DEFAULT_COMBINED_SECRET_FIELDS, ...result };
  if (new Set(Object.values(chosen)).size !== SECRET_IDS.length) {
    // One field for two values (say the API key and the JWT secret) is a typo, never a plan.
    throw new ConfigurationError(
      `${at} must name a different field for each secret (got ${JSON.stringify(chosen)}).`,
    );
  }
  return result;
}

/** An optional `iss` / `aud` to require of access tokens. */
function parseTokenClaim(given: Given | undefined): string | undefined {
  if (given === undefined) return undefined;
  const { value, at } = given;
  if (typeof value !== 'string' || value.trim() !== value || value.length > 1024) {
    throw new ConfigurationError(
      `${at} must be a string without leading or trailing spaces, at most 1024 characters.`,
    );
  }
  return value;
}

/**
 * A number setting: a number in `cdk.json`, a string on the command line
 * (`--context reconcileIntervalMinutes=5`), within `[min, max]`; `fallback` when unset.
 */
function numberSetting(
  given: Given | undefined,
  fallback: number,
  range: { readonly min: number; readonly max: number; readonly integer?: boolean },
): number {
  if (given === undefined) return fallback;
  const { value, at } = given;
  const number =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  const kind = range.integer ? 'an integer' : 'a number';
  if (
    !Number.isFinite(number) ||
    (range.integer === true && !Number.isInteger(number)) ||
    number < range.min ||
    number > range.max
  ) {
    throw new ConfigurationError(
      `${at} must be ${kind} from ${range.min} to ${range.max} (got ${JSON.stringify(value)}).`,
    );
  }
  return number;
}

const integerSetting = (
  given: Given | undefined,
  fallback: number,
  range: { readonly min: number; readonly max: number },
): number => numberSetting(given, fallback, { ...range, integer: true });

/** `1` (the default: runs never overlap) or `false` (reserve nothing). */
function parseSingleRunReservation(given: Given | undefined): 1 | false {
  if (given === undefined) return 1;
  const { value, at } = given;
  if (value === false || value === 'false') return false;
  if (value === 1 || value === '1') return 1;
  throw new ConfigurationError(
    `${at} must be 1 (runs never overlap) or false (reserve none), got ${JSON.stringify(value)}.`,
  );
}

/** An SNS topic ARN; not FIFO: CloudWatch alarm actions publish without a message group. */
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

function parseAlarmTopicArn(given: Given | undefined): string | undefined {
  if (given === undefined) return undefined;
  const { value, at } = given;
  if (typeof value !== 'string' || !SNS_TOPIC_ARN.test(value)) {
    throw new ConfigurationError(
      `${at} must be the ARN of a standard (not FIFO) SNS topic, e.g. arn:aws:sns:eu-west-1:111122223333:alarms (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

/** One address; SNS sends it a confirmation link before any alarm. */
const EMAIL_ADDRESS = /^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$/;

function parseEmail(given: Given | undefined): string | undefined {
  if (given === undefined) return undefined;
  const { value, at } = given;
  if (typeof value !== 'string' || value.length > 254 || !EMAIL_ADDRESS.test(value)) {
    throw new ConfigurationError(`${at} must be one email address (got ${JSON.stringify(value)}).`);
  }
  return value;
}

const optionalEntry = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);

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
      throw new ConfigurationError(
        `${at}.${key} is not a known override; known: ${EXTERNAL_KEYS.join(', ')}.`,
      );
    }
    const value = raw[key];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ConfigurationError(`${at}.${key} must be a non-empty string.`);
    }
    result[key as keyof ExternalResourceOverrides] = value;
  }
  if (
    result.billingEventsTopicArn !== undefined &&
    !result.billingEventsTopicArn.startsWith('arn:')
  ) {
    throw new ConfigurationError(`${at}.billingEventsTopicArn must be an SNS topic ARN.`);
  }
  return result;
}

function parseOrigin(value: unknown, at: string): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new ConfigurationError(`${at} is not a URL origin: ${JSON.stringify(value)}.`);
  }
  if (url.origin !== value) {
    throw new ConfigurationError(
      `${at} must be a bare origin like "https://app.example.com" (got ${JSON.stringify(value)}).`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalHost(url.hostname))) {
    throw new ConfigurationError(
      `${at} must use https (http is allowed for localhost only): ${value}.`,
    );
  }
  return url.origin;
}

function positiveInteger(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(`${at} must be a positive integer.`);
  }
  return value;
}

function boolean(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigurationError(`${at} must be true or false.`);
  return value;
}
